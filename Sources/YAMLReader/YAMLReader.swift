// Module YAMLReader.
