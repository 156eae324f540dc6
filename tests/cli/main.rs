//! Integration tests: the real binary, on real git repositories built in a temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod common;
mod mock_github;
mod mock_org;

mod access;
mod action;
mod adoption;
mod bad_input;
mod batch5;
mod batch5_precision;
mod batch6;
mod batch7;
mod batch9_js;
mod classification;
mod config_errors;
mod data;
mod data_pg;
mod data_server;
mod declared;
mod evidence;
mod exit_codes;
mod fail_closed;
mod github;
mod history;
mod install_script;
mod leaks;
mod markers;
mod org;
mod outcome;
mod outputs;
mod owners;
mod precision2;
mod process;
mod reach;
mod readme;
mod sarif_ingestion;
mod secrets;
mod security;
mod services;
mod ship;
mod ship2;
mod suppressions;
mod workflows;
