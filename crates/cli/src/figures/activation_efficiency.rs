//! stub
use super::Figure;
use crate::Failure;

pub fn figure() -> Result<Figure, Failure> {
    Ok(Figure { file: "activation_efficiency.svg", title: "activation_efficiency", svg: String::new(), caption: String::new() })
}
