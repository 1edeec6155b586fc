//! # abstat-py
//!
//! Python bindings of abstat (pyo3 + maturin), with the names, signatures and
//! result objects of scipy, statsmodels and scikit-learn. The binding layer
//! converts arguments and errors and calls `abstat-core`; it holds no
//! statistics of its own.
