"""Reports a compliance officer files from an alert: MOF/FSA and OFAC (fields + renderers)."""
