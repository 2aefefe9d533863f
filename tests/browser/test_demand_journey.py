"""Issue 10's browser test (Done when, first line), as its users go through it:

an enterprise registers on the public page and 南宁's official approves it; 南宁 opens a census round; the
enterprise reports demand for 20 养老护理员 (4-10-01-05) level 4 in 兴宁区 by the templated .xlsx, first with two
bad rows (each named by row, column and reason in Chinese; nothing written), then corrected (one of the
corrected rows names a special-ability item, where no occupation standard exists); the city sees the gap; an
institution opens a class of that occupation and level, the city approves it, the roster is uploaded, attendance
recorded, the class finished, results entered and certificates issued on the pages; the gap shrinks by the
certified count; employment proofs are given on the claims' pages and the gap shrinks by the placed count; the
gap's history shows the day of the certificates and the day of the proofs.

Set-up that is not a step the issue names is written directly and says so: the catalogue, the institution's
authorised scope, the fund allocation and the filing of the class's claims (the proofs are given on the pages).
The programme clock (qiancheng.clock) moves time for the live server, which runs in this process.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from qiancheng.clock import set_today
from qiancheng.demand.tests.support import CARE_WORKER, XINGNING, sheet, valid_uscc
from qiancheng.people.identity import id_number_check_character
from qiancheng.training.tests.rosters import roster_xlsx

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMPANY = "南宁康寿养老服务有限公司"
COMPANY_USER = "kangshou-care"
COMPANY_PASSWORD = "lotus-pond-secret-2026"
CLASS_NAME = "养老护理员四级一期班"
START, END = date(2026, 3, 2), date(2026, 3, 11)
CLASS_DAYS = [START + timedelta(days=offset) for offset in range(10)]  # 10 sessions × 8 h = the class's 80 h
CERTIFIED_ON, PROOF_ON = date(2026, 3, 20), date(2026, 6, 12)
TRAINEES = ["农一", "农二", "农三", "农四", "农五"]
SHOT = Path("/tmp/qiancheng-demand-journey.png")


def id_number(serial: int) -> str:
    first17 = f"45010219880808{serial:03d}"
    return first17 + id_number_check_character(first17)


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def demand_file(item_code: str, *, broken: bool) -> bytes:
    """Row 2: the 20 care workers. Row 3: a special-ability item (with a level when broken: items have none).
    Row 4: 5 care workers of level 5 in another county (a county code that does not exist when broken)."""
    deadline = "2026-09-01"
    return sheet([
        [CARE_WORKER, 4, None, 20, 3800, XINGNING, "ai", deadline, "是", None],
        [None, 4 if broken else None, None, 6, 3200, XINGNING, "ai", deadline, "是", item_code],
        [CARE_WORKER, 5, None, 5, 3000, "459999" if broken else "450103", "ai", deadline, "否", None],
    ])


def gap_on_page(page, url: str) -> int:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/insight/demand-gap/")
    row = page.get_by_test_id(f"gap-{CARE_WORKER}-4-450100")
    return int(row.get_by_test_id("gap-value").inner_text())


def test_demand_reported_by_xlsx_is_answered_by_a_class(page, sign_in, live_server, persona_password, catalog_loaded,
                                                        nanning_official, province_official, institution_user) -> None:
    try:
        _journey(page, sign_in, live_server.url, persona_password, nanning_official, province_official,
                 institution_user)
    finally:
        set_today(None)


def _journey(page, sign_in, url: str, password: str, nanning_official, province_official,
             institution_user) -> None:
    from qiancheng.catalog.models import City, Occupation, SpecialAbilityItem
    from qiancheng.catalog.vocabulary import TrainingType
    from qiancheng.demand.models import DemandReport, Enterprise, EnterpriseStatus
    from qiancheng.evaluation.models import Certificate, CertificateKind
    from qiancheng.funding.models import FundSource
    from qiancheng.funding.services.claims import file_class_claims
    from qiancheng.funding.tests.money import funded, institution_parties
    from qiancheng.insight import demand_gap
    from qiancheng.providers.models import InstitutionScope
    from qiancheng.training.models import ClassStatus, Enrolment, TrainingClass

    # The shared two-core machine runs several suites at once: pages get a minute, not the fixture's 15 s.
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(120_000)
    item = SpecialAbilityItem.objects.filter(is_active=True).order_by("code").first()
    set_today(date(2026, 2, 2))

    # ---- 1: the enterprise registers on the public page, with its own login. ----
    page.goto(f"{url}/demand/register/")
    page.get_by_label("企业名称").fill(COMPANY)
    page.get_by_label("统一社会信用代码").fill(valid_uscc(777))
    page.get_by_label("所在市").select_option("450100")
    page.get_by_label("联系人").fill("黄经理")
    page.locator("#id_address").fill("南宁市兴宁区长堽路18号")
    page.locator("#id_legal_representative").fill("黄建国")
    page.locator("#id_phone").fill("0771-5681234")
    page.get_by_label("用户名").fill(COMPANY_USER)
    page.locator("#id_password").fill(COMPANY_PASSWORD)
    page.get_by_label("再次输入密码").fill(COMPANY_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="提交注册申请").click()
    assert page.url.endswith("/demand/mine/"), page.locator("main").inner_text()
    assert page.get_by_test_id("enterprise-status").inner_text() == "待审核"
    sign_out(page)

    # ---- 1c 各市审核: 南宁's official approves it from the queue; 南宁 opens a census round. ----
    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/demand/queue/")
    page.get_by_test_id("enterprise-queue").get_by_role("link", name=COMPANY).click()
    page.get_by_label("审核结论").select_option("approve")
    page.get_by_label("理由").fill("营业执照与统一社会信用代码核验一致")
    with page.expect_navigation():
        page.get_by_role("button", name="保存审核结论").click()
    assert Enterprise.objects.get(name=COMPANY).status == EnterpriseStatus.APPROVED
    page.goto(f"{url}/demand/rounds/")
    form = page.get_by_test_id("round-form")
    form.get_by_label("普查名称").fill("2026年南宁市养老服务技能需求普查")
    form.get_by_label("开始日期").fill("2026-02-01")
    form.get_by_label("截止日期").fill("2026-06-30")
    form.get_by_label("普查范围").select_option("city")
    form.get_by_label("市（按市普查时）").select_option("450100")
    with page.expect_navigation():
        form.get_by_role("button", name="发起").click()
    sign_out(page)

    # ---- 2: the .xlsx with two bad rows: each named by row, column and reason; nothing is written. ----
    sign_in(page, COMPANY_USER, COMPANY_PASSWORD)
    page.goto(f"{url}/demand/rounds/")
    page.get_by_test_id("census-rounds").get_by_role("link", name="2026年南宁市养老服务技能需求普查").click()
    upload = page.get_by_test_id("upload-form")
    upload.get_by_label("需求填报表（.xlsx）").set_input_files(
        {"name": "需求填报.xlsx", "mimeType": XLSX, "buffer": demand_file(item.code, broken=True)})
    with page.expect_navigation():
        upload.get_by_role("button", name="上传").click()
    problems = page.get_by_test_id("row-problems").locator("li").all_inner_texts()
    assert len(problems) == 2, problems
    assert problems[0].startswith("第3行 row 3，技能等级 level：") and "专项职业能力不分等级" in problems[0]
    assert problems[1].startswith("第4行 row 4，县（市、区）代码 county code：") and "459999 无效或已停用" in problems[1]
    assert not DemandReport.objects.exists()

    # Corrected and uploaded again: three needs, one of them a special-ability item.
    upload = page.get_by_test_id("upload-form")
    upload.get_by_label("需求填报表（.xlsx）").set_input_files(
        {"name": "需求填报.xlsx", "mimeType": XLSX, "buffer": demand_file(item.code, broken=False)})
    with page.expect_navigation():
        upload.get_by_role("button", name="上传").click()
    assert "已导入：新增3项，更新0项，未变0项" in page.locator(".messages").inner_text()
    reports = page.get_by_test_id("demand-reports").inner_text()
    assert "养老护理员（4级）" in reports and f"专项职业能力 {item.code} {item.name}" in reports
    assert DemandReport.objects.get(item=item).headcount == 6
    sign_out(page)

    # ---- 3: the city sees the gap of 养老护理员 level 4: 20 reported, nobody trained yet. ----
    sign_in(page, nanning_official.username, password)
    assert gap_on_page(page, url) == 20
    sign_out(page)

    # ---- A class answers it: the institution opens one, the city approves it. ----
    # Set-up: the institution's authorised scope for this occupation (its own review is issue 4's).
    care = Occupation.objects.get(code=CARE_WORKER)
    InstitutionScope.objects.create(institution=institution_user.institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=care, max_level=3)
    sign_in(page, institution_user.username, password)
    page.goto(f"{url}/classes/new/")
    page.get_by_label("班级名称").fill(CLASS_NAME)
    page.get_by_label("培训类型").select_option("occupational")
    page.get_by_label("职业（工种）").select_option(CARE_WORKER)
    page.get_by_label("技能等级").select_option("4")
    page.get_by_label("开班日期").fill(START.isoformat())
    page.get_by_label("结业日期").fill(END.isoformat())
    page.get_by_label("课时").fill("80")
    page.get_by_label("培训场地").fill("南宁市兴宁区长堽路养老实训中心")
    page.get_by_label("政府补贴部分（元）").fill("1200")
    with page.expect_navigation():
        page.get_by_test_id("submit-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "待审核"
    training = TrainingClass.objects.get(name=CLASS_NAME)
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/classes/queue/")
    page.get_by_test_id("queue-class").filter(has_text=CLASS_NAME).click()
    with page.expect_navigation():
        page.get_by_test_id("approve-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "已批准"
    sign_out(page)

    # The roster, the class days' attendance, the end of the class.
    sign_in(page, institution_user.username, password)
    page.goto(f"{url}/classes/{training.pk}/roster/")
    page.get_by_test_id("roster-file").set_input_files({"name": "名册.xlsx", "mimeType": XLSX, "buffer": roster_xlsx(
        [(name, id_number(serial), None, "其他", None) for serial, name in enumerate(TRAINEES, start=1)])})
    with page.expect_navigation():
        page.get_by_test_id("roster-upload").click()
    with page.expect_navigation():
        page.get_by_test_id("apply-import").click()
    assert Enrolment.objects.filter(training_class=training).count() == len(TRAINEES)
    set_today(END)
    page.goto(f"{url}/classes/{training.pk}/attendance/")
    for day in CLASS_DAYS:
        page.get_by_test_id("session-date").fill(day.isoformat())
        page.get_by_test_id("session-hours").fill("8")
        with page.expect_navigation():
            page.get_by_test_id("record-session").click()
    set_today(END + timedelta(days=2))
    page.goto(f"{url}/classes/{training.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("finish-class").click()
    assert TrainingClass.objects.get(pk=training.pk).status == ClassStatus.FINISHED

    # ---- Certificates: results entered, certificates issued on the results page. ----
    page.goto(f"{url}/evaluation/classes/{training.pk}/results/")
    page.get_by_test_id("evaluated-on").fill((END + timedelta(days=2)).isoformat())
    page.get_by_test_id("evaluator").fill("南宁市职业技能鉴定中心")
    for enrolment in Enrolment.objects.filter(training_class=training):
        page.get_by_test_id(f"passed-{enrolment.pk}").select_option("pass")
        page.get_by_test_id(f"score-{enrolment.pk}").fill("82")
    with page.expect_navigation():
        page.get_by_test_id("save-results").click()
    set_today(CERTIFIED_ON)
    page.goto(f"{url}/evaluation/classes/{training.pk}/results/")
    page.get_by_test_id("issuer").fill("南宁市职业技能鉴定中心")
    page.get_by_test_id("issued-on").fill(CERTIFIED_ON.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("issue-certificates").click()
    certified = Certificate.objects.filter(evaluation__enrolment__training_class=training,
                                           kind=CertificateKind.VOCATIONAL_SKILL_LEVEL, level=4).count()
    assert certified == len(TRAINEES)
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    assert gap_on_page(page, url) == 20 - certified
    sign_out(page)

    # ---- Employment proofs (5.2c) on two trainees' claims, three months after the class. ----
    # Set-up: 南宁's 2026 allocation and the class's claims (issue 5's steps, in its own journey).
    fund = funded(province_official, "100000", city=City.objects.get(code="450100"), year=2026,
                  source=FundSource.EMPLOYMENT_SUBSIDY)
    claims, refused = file_class_claims(institution_user, training, fund, institution_parties(training))
    assert not refused and len(claims) == len(TRAINEES)
    set_today(PROOF_ON + timedelta(days=3))
    sign_in(page, institution_user.username, password)
    placed = claims[:2]
    for claim in placed:
        page.goto(f"{url}/money/claims/{claim.number}/")
        proof = page.get_by_test_id("proof-form")
        proof.get_by_label("证明类型").select_option("labour_contract")
        proof.get_by_label("证明日期").fill(PROOF_ON.isoformat())
        with page.expect_navigation():
            page.get_by_test_id("add-proof").click()
    sign_out(page)

    # ---- The gap shrank by both; its history shows the day of the certificates and the day of the proofs. ----
    sign_in(page, nanning_official.username, password)
    assert gap_on_page(page, url) == 20 - certified - len(placed)
    page.goto(f"{url}/insight/demand-gap/history/?occupation={CARE_WORKER}&level=4")
    history = page.get_by_test_id("gap-history")
    on_certificates = history.get_by_test_id(f"history-{CERTIFIED_ON.isoformat()}")
    on_proofs = history.get_by_test_id(f"history-{PROOF_ON.isoformat()}")
    assert "发证" in on_certificates.inner_text() and on_certificates.get_by_test_id("history-gap").inner_text() == str(
        20 - certified)
    assert "就业证明" in on_proofs.inner_text() and on_proofs.get_by_test_id("history-gap").inner_text() == str(
        20 - certified - len(placed))
    page.screenshot(path=str(SHOT), full_page=True)
    # The page's figures are the function's: the table over the same window says the same.
    table = demand_gap.gap_table(nanning_official, occupation_code=CARE_WORKER, level=4)
    assert [(row.demand, row.certified, row.placed) for row in table.rows] == [(20, certified, len(placed))]
