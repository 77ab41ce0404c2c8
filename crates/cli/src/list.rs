//! `thermocheck list`: every claim (with the proof files that establish it) and every eval
//! quantity.

use crate::{Failure, Outcome, registry};
use serde_json::json;

pub fn run(json: bool) -> Result<Outcome, Failure> {
    let claims = registry::claims();
    let quantities = registry::quantities();
    if json {
        let value = json!({
            "claims": claims.iter().map(|c| json!({
                "id": c.id,
                "source": c.source,
                "citation": c.source.citation(),
                "results": c.results,
                "statement": c.statement,
                "proofs": crate::proofs::for_claim(c.id),
            })).collect::<Vec<_>>(),
            "quantities": quantities.iter().map(|q| json!({
                "name": q.name,
                "summary": q.summary,
                "spec": q.spec,
                "params": q.params,
            })).collect::<Vec<_>>(),
        });
        outln!(
            "{}",
            serde_json::to_string_pretty(&value).expect("JSON of plain data")
        );
        return Ok(Outcome::Passed);
    }
    outln!("Claims ({}):", claims.len());
    for c in &claims {
        let results = if c.results.is_empty() {
            String::new()
        } else {
            format!(" [{}]", c.results.join(", "))
        };
        outln!("  {:<5} {}{results}", c.id, c.statement);
        outln!("        source: {}", c.source.citation());
        let proofs = crate::proofs::for_claim(c.id);
        if proofs.is_empty() {
            outln!("        proof: none");
        }
        for proof in proofs {
            outln!("        proof: {proof}");
        }
    }
    outln!();
    outln!("Quantities ({}):", quantities.len());
    for q in &quantities {
        outln!("  {}  ({})  {}", q.name, q.spec, q.summary);
        for p in q.params {
            let required = if p.required { "" } else { " (optional)" };
            outln!("      --{:<20} {}{required}", p.name, p.doc);
        }
    }
    Ok(Outcome::Passed)
}
