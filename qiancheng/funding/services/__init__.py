"""The funding services: every change of money goes through one of these functions (STYLE.md 6, 9).

- ledger: `post_transaction`, `verify_ledger` (the double-entry ledger and its check)
- funds: `allocate`, `balances`, `fund_account` (5.1-5.4, 4.1)
- claims: `file_claim`, `file_class_claims`, `approve_claim`, `approve_claims`, `reject_claim`,
  `withdraw_claim`, `add_employment_proof` (5.2c), `fund_account_for` (3.6, 6c)
  `send_back_claim`, `resubmit_claim` (more documents; the claim stays pending); `filing_refusal` (6c:
  finished class, attendance at the city's threshold, evaluation, certificate)
- class_claims: `class_claim_candidates` (each trainee: can be claimed, or why not), `check_class_claims`
- payments: `pay_claim` (nets a class's advance), `pay_batch`; payment_list: `payment_list_xlsx` (the
  treasury's .xlsx, masked; `unmasked=True` for the province, audited)
- advances (3.6 credit payment): `advance_eligibility`, `grant_advance`, `settle_advance`,
  `recover_unearned_advance`
- employment (5.2c): `employment_due`, `employment_rates`
- recovery (6d): `open_recovery`, `record_repayment`, `write_off_recovery`, `recovery_for_revoked_certificate`
- appeals: `file_appeal`, `decide_appeal`

Each raises `FundingRefused` (code, Chinese and English reason) when the rules do not allow the change.
"""
