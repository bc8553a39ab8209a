//! Integration tests for the delivery engine: `timing` drives it with a fake transport under a
//! paused clock; `http` drives it against real receivers on 127.0.0.1 with real time.

mod http;
mod support;
mod timing;
