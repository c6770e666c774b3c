// filled in by the tests for this area
