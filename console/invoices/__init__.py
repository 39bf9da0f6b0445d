"""Invoices: the documents and their lifecycle — every invoice, an invoice's page where admins
mark it paid or void it, and a customer's invoices on the customer page."""
