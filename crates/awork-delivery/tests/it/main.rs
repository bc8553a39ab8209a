//! Integration tests for the delivery engine: `timing` and `pending` drive it with a fake
//! transport under a paused clock; `http` and `tls` drive it against real receivers on 127.0.0.1
//! with real time.

mod http;
mod pending;
mod stop;
mod support;
mod timing;
mod tls;
