//! End-to-end tests of the `awork-sim` binary: each runs the built program with arguments and stdin,
//! and checks its exit status, stdout and stderr.

mod cli_auth;
mod cli_check;
mod cli_demo;
mod cli_env;
mod cli_errors;
mod cli_events;
mod cli_general;
mod cli_generate;
mod cli_listen;
mod cli_memory;
mod cli_refusals;
mod cli_schema;
mod cli_send;
mod cli_serve;
mod cli_signals;
mod cli_validate;
mod openapi_independent;
mod readme_examples;
mod serve_hardening;
mod serve_page;
mod serve_rest;
mod serve_tls;
mod support;
mod tidy;
