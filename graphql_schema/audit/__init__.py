"""The audit log in the API: the ``auditLog`` query and the extension that writes it."""
