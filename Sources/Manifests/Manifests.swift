// Module Manifests.
