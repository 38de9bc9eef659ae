"""Course settings: ``course.toml`` read into typed values."""
