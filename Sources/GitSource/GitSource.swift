// Module GitSource.
