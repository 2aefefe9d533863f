"""The closed vocabularies of RULES.md and EXCHANGE.md, as the exchange files spell them."""

TRAINING_TYPES = ("occupational", "special_ability", "entrepreneurship", "project")
FUNDS = ("employment_subsidy", "special_account", "unemployment_insurance")
COURSE_KINDS = ("GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce", "online_simulation")
# 3.3: IYB 改善你的企业 and EYB 扩大你的企业 are for people holding a business licence.
LICENCE_COURSE_KINDS = ("IYB", "EYB")
APPLICANT_RELATIONS = ("employee", "prospective_hire", "none")
PERSON_CATEGORIES = (
    "graduate_youth",
    "rural_migrant_worker",
    "registered_unemployed",
    "employment_difficulty",
    "enterprise_employee",
    "other",
)
# 2.1b: the key groups awaiting employment, at least 70% of subsidised training.
KEY_GROUPS = ("graduate_youth", "rural_migrant_worker", "registered_unemployed", "employment_difficulty")
ADVANCER_KINDS = ("institution", "enterprise", "individual")
PROOF_KINDS = ("labour_contract", "wage_statement", "social_insurance_record")
CLAIM_STATUSES = ("pending", "approved", "paid", "rejected", "withdrawn")
# RULES.md "What counts": rejected and withdrawn claims do not count toward any limit.
COUNTING_STATUSES = ("pending", "approved", "paid")
# EXCHANGE.md: province-level codes accepted as the first two digits of an ID number.
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
)
RULE_IDS = (
    "data.id", "data.dates", "3.2", "3.3", "3.4e", "3.5a", "3.5b", "3.5c", "3.5d", "3.6",
    "5.1", "5.2a", "5.2b", "5.2d", "5.3", "6d",
)
