//! Integration tests for the delivery engine: `accept_queue` opens many connections at once to a
//! receiver with a small accept queue; `timing` and `pending` drive it with a fake
//! transport under a paused clock; `http`, `slow_body`, `stale` and `tls` drive it against real receivers on
//! 127.0.0.1 with real time; `client` checks what the real client sends and loads, `answers`
//! how it reads every framing of an answer.

mod accept_queue;
mod answers;
mod client;
mod http;
mod pending;
mod slow_body;
mod stale;
mod stop;
mod support;
mod timing;
mod tls;
