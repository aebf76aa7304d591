//! The Moked HTTP server.
