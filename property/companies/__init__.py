"""The register of property companies: companies, their staff and service contracts."""
