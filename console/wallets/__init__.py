"""A customer's wallet, the product's centre, as the customer page shows it: the balance in
plain words (moving live), grants and the ledger's history, and — for admins — top-up, grant
and void, spend-alert levels and auto-recharge."""
