//! Non-autonomous ODE integration (stub: filled by the ode work item).
