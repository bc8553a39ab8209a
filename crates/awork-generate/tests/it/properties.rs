//! Property tests of the strategies (below).
