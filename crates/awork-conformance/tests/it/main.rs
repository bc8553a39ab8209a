//! The conformance suite against real receivers on 127.0.0.1: the workspace's correct example
//! passes every case, each classic mistake is caught by its case, and the reports (JSON, JUnit,
//! text) say so in the shapes scripts and CI systems read; and the suite reuses its connections.

mod connections;
mod mistakes;
mod reports;
mod selection;
mod slow_body;
mod support;
mod verdicts;
