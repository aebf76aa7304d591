//! The live contact center.
