//! Integration tests of the example receivers, over real HTTP on 127.0.0.1: `correct` shows that
//! the correct receiver does each thing right, `careless` that each mistake shows.

mod careless;
mod correct;
mod support;
