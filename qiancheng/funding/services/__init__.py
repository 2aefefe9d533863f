"""The funding services: every change of money goes through one of these functions (STYLE.md 6, 9).

- ledger: `post_transaction`, `verify_ledger` (the double-entry ledger and its check)
- funds: `allocate`, `balances`, `fund_account` (5.1-5.4, 4.1)
- claims: `file_claim`, `file_class_claims`, `approve_claim`, `approve_claims`, `reject_claim`,
  `withdraw_claim`, `add_employment_proof` (5.2c), `fund_account_for` (3.6, 6c)
- payments: `pay_claim`, `pay_batch`; payment_list: `payment_list_xlsx` (the treasury's .xlsx, masked)

Each raises `FundingRefused` (code, Chinese and English reason) when the rules do not allow the change.
"""
