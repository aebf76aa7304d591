//! SVG charts for HTML reports (placeholder).
