"""The whole journey of issues 4 and 5 in one real browser story, as its users would go through it.

Issue 4: a new institution registers with its own login and 南宁's official approves it; an enterprise
applies for a project (trainees: its employees), the city approves and publishes it and it shows in the
public catalogue; the institution applies to deliver and the city chooses it with a reason (3.4c); the
institution opens the project's class, the city approves it; the institution uploads an .xlsx roster with
two bad rows (a wrong check character; a prospective hire in an employees-only project, 3.4e), sees each
with its reason, applies the good rows, records attendance on the class days, and the results after
the class; the city and the enterprise confirm the effect (3.4d); the certificates are issued and one
verifies on the public page with a masked name.

Issue 5, the same class: the province allocates 南宁's 2025 special account (5.2a) on the fund dashboard;
the institution files the class's claims; 南宁's official reads each decision, approves, rejects one with
a reason and pays a batch; the institution appeals the rejection with a document and a second 南宁
official upholds it, and it is paid; three months after the class ended the employment proof of one
trainee is given on its paid claim's page, and the 200 CNY employment subsidy (5.2c) becomes a top-up
that the city approves and pays with its next batch (600 + 200 for that trainee).

The programme clock (qiancheng.clock) moves time for the live server, which runs in this process.
Set-up data that is not a step of the journey (the second city official) is written directly and says
so where it happens.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from qiancheng.clock import set_today
from qiancheng.people.identity import id_number_check_character
from qiancheng.training.tests.rosters import roster_xlsx

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHOOL = "南宁市匠心职业培训学校"
SCHOOL_USER = "jiangxin-school"
SCHOOL_PASSWORD = "kapok-river-secret-2025"
TITLE = "锂电池模组装调项目"
CLASS_NAME = "锂电池模组装调项目一期班"
START, END = date(2025, 9, 22), date(2025, 9, 30)
CLASS_DAYS = [START + timedelta(days=offset) for offset in range(7)]  # 7 sessions × 8 h = the class's 56 h
EMPLOYEE = "本企业职工"


def id_number(serial: int) -> str:
    first17 = f"45010219920303{serial:03d}"
    return first17 + id_number_check_character(first17)


def roster_with_two_bad_rows() -> bytes:
    wrong_check = id_number(4)[:17] + ("0" if id_number(4)[-1] != "0" else "1")
    return roster_xlsx([
        ("韦小一", id_number(1), "13800138001", "企业职工", EMPLOYEE),
        ("韦小二", id_number(2), None, "企业职工", EMPLOYEE),
        ("韦小四", wrong_check, None, "企业职工", EMPLOYEE),
        ("韦小三", id_number(3), None, "企业职工", EMPLOYEE),
        ("韦小五", id_number(5), None, "企业职工", "拟招用人员"),
    ])


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def message(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(".messages").inner_text()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SCREENSHOTS / f"qiancheng-journey-{name}.png"), full_page=True)


def test_from_registration_to_the_employment_subsidy(page, sign_in, live_server, persona_password, nanning_official,
                                                     enterprise_user, province_official) -> None:
    try:
        _journey(page, sign_in, live_server.url, persona_password, nanning_official, enterprise_user)
    finally:
        set_today(None)


def _journey(page, sign_in, url: str, password: str, nanning_official, enterprise_user) -> None:
    from qiancheng.accounts.models import User
    from qiancheng.evaluation.models import Certificate, CertificateKind
    from qiancheng.funding.models import (
        Appeal,
        ClaimStatus,
        FundAccount,
        FundSource,
        Payment,
        PaymentPart,
        SubsidyClaim,
    )
    from qiancheng.funding.services.ledger import verify_ledger
    from qiancheng.projects.models import Project
    from qiancheng.providers.models import Institution, InstitutionStatus
    from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, TrainingClass

    set_today(date(2025, 9, 1))

    # ---- 1c: a new institution registers with its own login; 南宁's official approves it. ----
    page.goto(f"{url}/institutions/register/")
    page.get_by_test_id("name").fill(SCHOOL)
    page.get_by_test_id("uscc").fill("91450100MA5K12340N")
    page.get_by_test_id("kind").select_option("private_school")
    page.get_by_test_id("city").select_option("450100")
    page.get_by_test_id("address").fill("南宁市江南区星光大道8号")
    page.get_by_test_id("legal-representative").fill("覃建华")
    page.get_by_test_id("phone").fill("0771-4881234")
    page.get_by_test_id("contact-name").fill("覃老师")
    page.get_by_test_id("capacity").fill("200")
    page.get_by_test_id("username").fill(SCHOOL_USER)
    page.get_by_test_id("password").fill(SCHOOL_PASSWORD)
    page.get_by_test_id("password-again").fill(SCHOOL_PASSWORD)
    page.get_by_test_id("register-submit").click()
    page.wait_for_url("**/institutions/mine/")
    assert page.get_by_test_id("institution-status").inner_text() == "已申请"
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/institutions/queue/")
    page.get_by_test_id("queue-row").filter(has_text=SCHOOL).get_by_test_id("queue-open").click()
    page.get_by_test_id("review-reason").fill("办学许可、师资和场地材料齐全，同意认定")
    page.get_by_test_id("review-approve").click()
    page.wait_for_url("**/institutions/queue/")
    assert page.get_by_test_id("queue-row").filter(has_text=SCHOOL).count() == 0
    assert Institution.objects.get(name=SCHOOL).status == InstitutionStatus.APPROVED
    sign_out(page)

    # ---- 3.4a: the enterprise applies for a project for its employees and submits it. ----
    sign_in(page, enterprise_user.username, password)
    page.goto(f"{url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill(TITLE)
    page.get_by_label("培训人数", exact=True).fill("30")
    page.get_by_label("技能要求", exact=True).fill("模组装配、电芯检测、安全规范")
    page.get_by_label("培训内容", exact=True).fill("模组结构、装调工艺、检测与安全")
    page.get_by_label("培训时长（课时）", exact=True).fill("56")
    page.get_by_label("培训方式", exact=True).fill("线下集中 + 岗位实操")
    page.get_by_label("预期效果", exact=True).fill("结业后全部转岗模组装调")
    page.get_by_label(EMPLOYEE).check()
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
    assert "已提交" in page.get_by_test_id("project-status").inner_text()
    sign_out(page)

    # ---- 3.4b: the city approves and publishes it; the public catalogue shows it. ----
    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/projects/queue/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("审核意见（不予批准时必填）").fill("符合本市新能源产业方向")
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_load_state()
    assert "已批准" in page.get_by_test_id("project-status").inner_text()
    code = page.get_by_test_id("project-code").inner_text()
    page.get_by_role("button", name="发布到项目目录").click()
    page.wait_for_load_state()
    assert "已发布" in page.get_by_test_id("project-status").inner_text()
    sign_out(page)

    page.goto(f"{url}/projects/catalogue/")
    assert code in page.locator("tr", has_text=TITLE).inner_text()

    # ---- 3.4c: the institution applies to deliver; the city chooses it, with its reason. ----
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/projects/catalogue/")
    page.locator("tr", has_text=TITLE).get_by_role("link", name="申请承训").click()
    page.get_by_label("承训说明（如何满足项目条件）").fill("有模组装调实训线两条，专职教师 8 人")
    page.get_by_role("button", name="申请承训").click()
    page.wait_for_load_state()
    assert "已申请" in page.get_by_test_id("my-application-status").inner_text()
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/projects/choices/")
    page.get_by_role("link", name=TITLE).click()
    row = page.locator("tr", has_text=SCHOOL)
    row.get_by_label("选定理由").fill("唯一具备模组装调实训线的申请机构")
    row.get_by_role("button", name="选定该机构").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("chosen-institution").inner_text() == SCHOOL
    sign_out(page)
    project = Project.objects.get(title=TITLE)

    # ---- Classes: the institution opens the project's class; the city approves it. ----
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/classes/new/")
    page.get_by_label("班级名称").fill(CLASS_NAME)
    page.get_by_label("培训类型").select_option("project")
    page.get_by_label("项目制培训项目").select_option(str(project.pk))
    page.get_by_label("开班日期").fill(START.isoformat())
    page.get_by_label("结业日期").fill(END.isoformat())
    page.get_by_label("课时").fill("56")
    page.get_by_label("培训场地").fill("江南区星光大道8号实训楼")
    page.get_by_label("政府补贴部分（元）").fill("600")
    page.get_by_label("企业承担部分（元）").fill("300")
    with page.expect_navigation():
        page.get_by_test_id("submit-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "待审核"
    training = TrainingClass.objects.get(name=CLASS_NAME)
    assert training.project_id == project.pk
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/classes/queue/")
    page.get_by_test_id("queue-class").filter(has_text=CLASS_NAME).click()
    with page.expect_navigation():
        page.get_by_test_id("approve-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "已批准"
    sign_out(page)

    # ---- 6c: the roster, two bad rows shown with their reasons, the good rows applied. ----
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/classes/{training.pk}/roster/")
    page.get_by_test_id("roster-file").set_input_files(
        {"name": "一期班名册.xlsx", "mimeType": XLSX, "buffer": roster_with_two_bad_rows()})
    with page.expect_navigation():
        page.get_by_test_id("roster-upload").click()
    bad_rows = page.get_by_test_id("bad-row")
    assert bad_rows.count() == 2
    # Each bad row: its row number in the sheet (the header is row 1), the column, the reason in Chinese.
    check_row, link_row = (bad_rows.nth(i).locator("td").all_inner_texts() for i in (0, 1))
    assert check_row[:2] == ["4", "身份证号"] and "身份证号校验位错误" in check_row[2]
    assert link_row[:2] == ["6", "与申报企业关系"]
    assert link_row[2].startswith("项目制培训学员须为申报企业的本企业职工") and "3.4条(五)" in link_row[2]
    assert page.get_by_test_id("good-count").inner_text() == "3"
    assert not Enrolment.objects.filter(training_class=training).exists()  # nothing before the choice
    shot(page, "01-roster-bad-rows")
    with page.expect_navigation():
        page.get_by_test_id("apply-import").click()
    assert "已导入：3 人新入册" in page.get_by_test_id("progress-line").inner_text()
    enrolments = {e.person.name: e for e in Enrolment.objects.filter(training_class=training).select_related("person")}
    assert sorted(enrolments) == ["韦小一", "韦小三", "韦小二"]

    # Attendance on the class days: the clock moves into the class; 7 sessions of 8 hours.
    set_today(CLASS_DAYS[-1])
    page.goto(f"{url}/classes/{training.pk}/attendance/")
    for day in CLASS_DAYS:
        page.get_by_test_id("session-date").fill(day.isoformat())
        page.get_by_test_id("session-hours").fill("8")
        with page.expect_navigation():
            page.get_by_test_id("record-session").click()
        assert "的考勤" in message(page)
    assert page.get_by_test_id("attendance-rate").all_inner_texts() == ["100%"] * 3
    assert AttendanceRecord.objects.filter(enrolment__training_class=training, present=True).count() == 21
    shot(page, "02-class-attendance")

    # ---- After the class: the institution closes it (结业), then records the results. ----
    set_today(date(2025, 10, 8))
    page.goto(f"{url}/classes/{training.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("finish-class").click()
    assert page.get_by_test_id("class-status").inner_text() == "已结业"
    assert TrainingClass.objects.get(pk=training.pk).status == ClassStatus.FINISHED
    page.goto(f"{url}/evaluation/classes/{training.pk}/results/")
    page.get_by_test_id("evaluated-on").fill("2025-10-08")
    page.get_by_test_id("evaluator").fill("南宁市职业技能鉴定中心")
    for enrolment in enrolments.values():
        page.get_by_test_id(f"passed-{enrolment.pk}").select_option("pass")
        page.get_by_test_id(f"score-{enrolment.pk}").fill("86")
    page.get_by_test_id("save-results").click()
    page.wait_for_load_state()
    assert "已保存3名学员的考核结果" in message(page)
    # 3.4d: certificates are refused until both sides confirm the effect.
    assert page.get_by_test_id("project-not-confirmed").count() == 1
    sign_out(page)

    # ---- 3.4d: the city and the enterprise confirm the effect. ----
    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/projects/confirmations/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("达到预期效果", exact=True).check()
    page.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state()
    assert "已确认达到" in page.get_by_test_id("city-confirmed").inner_text()
    sign_out(page)

    sign_in(page, enterprise_user.username, password)
    page.get_by_role("link", name="我的项目").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("达到预期效果", exact=True).check()
    page.get_by_label("说明（未达到时必填）").fill("3 人全部转岗模组装调")
    page.get_by_role("button", name="提交确认").click()
    page.wait_for_load_state()
    assert "双方已共同确认" in page.get_by_test_id("certificates-allowed").inner_text()
    sign_out(page)

    # ---- 1b: the institution issues the certificates; one verifies publicly, name masked. ----
    set_today(date(2025, 10, 10))
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/evaluation/classes/{training.pk}/results/")
    page.get_by_test_id("issuer").fill("南宁市人力资源和社会保障局")
    page.get_by_test_id("issued-on").fill("2025-10-10")
    page.get_by_test_id("issue-certificates").click()
    page.wait_for_load_state()
    assert "已发放3张证书" in message(page)
    certificate = Certificate.objects.get(person=enrolments["韦小一"].person)
    assert certificate.kind == CertificateKind.PROJECT_TRAINING
    shot(page, "03-results-certificates")
    sign_out(page)

    page.goto(f"{url}/verify/{certificate.number}/")
    assert page.get_by_test_id("holder").inner_text() == "韦*一"
    assert "真实有效" in page.locator("main").inner_text() and "韦小一" not in page.content()
    shot(page, "04-verify")

    # ---- 5.2a: the province allocates 南宁's 2025 special account on the fund dashboard. ----
    set_today(date(2025, 10, 15))
    sign_in(page, "province", password)
    page.goto(f"{url}/money/funds/")
    form = page.get_by_test_id("allocate-form")
    form.get_by_label("资金来源").select_option(FundSource.SPECIAL_ACCOUNT)
    form.get_by_label("年度").fill("2025")
    form.get_by_label("金额（元）").fill("50000")
    form.get_by_label("文号").fill("桂人社发〔2025〕18号")
    form.get_by_label("城市（空 = 自治区本级）").select_option("450100")
    page.get_by_test_id("allocate").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("check-total").inner_text() == "50,000.00"
    page.get_by_test_id("confirm-allocate").click()
    page.wait_for_load_state()
    assert "50,000.00" in page.get_by_test_id("fund-table").locator("tr", has_text="南宁市").inner_text()
    fund = FundAccount.objects.get(source=FundSource.SPECIAL_ACCOUNT, year=2025, city="450100")
    assert fund.allocated == Decimal("50000.00")
    sign_out(page)

    # ---- 3.6: the institution files the class's claims. ----
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/money/claims/")
    page.get_by_test_id(f"claim-class-{training.pk}").click()
    assert "职业技能提升行动专账资金" in page.get_by_test_id("rule-fund").inner_text()
    page.get_by_label("申领资金来源").select_option(FundSource.SPECIAL_ACCOUNT)
    # Tick every trainee who can be claimed, check the count and total, then confirm (a deliberate click).
    for box in page.get_by_test_id("class-claim-form").locator("input[name=enrolments]").all():
        box.check()
    page.get_by_test_id("check-claims").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("check-count").inner_text() == "3"
    page.get_by_test_id("confirm-claims").click()
    page.wait_for_load_state()
    assert "已提交 3 件申领" in message(page)
    claims = {c.person.name: c for c in SubsidyClaim.objects.filter(enrolment__training_class=training)
              .select_related("person")}
    approved, rejected, employed = claims["韦小一"].number, claims["韦小二"].number, claims["韦小三"].number
    assert {c.fund_account_id for c in claims.values()} == {fund.pk}
    sign_out(page)

    # ---- Review: the decisions with their explanation; approve, reject one with a reason; pay. ----
    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/money/review/")
    for number in (approved, rejected, employed):
        decision = page.get_by_test_id(f"review-row-{number}").get_by_test_id("decision").inner_text()
        assert decision.startswith("符合条件：补贴600.00元") and decision.endswith("待审核。")  # the plain verdict
    page.get_by_test_id(f"explain-{approved}").click()
    explanation = page.get_by_test_id(f"review-row-{approved}").locator("div[id^=explain-]")
    explanation.locator("*").first.wait_for()
    assert "第5.2条(二)" in explanation.inner_text() and "600" in explanation.inner_text()
    shot(page, "05-review")
    page.get_by_label(approved, exact=True).check()
    page.get_by_label(employed, exact=True).check()
    page.get_by_test_id("approve-selected").click()
    page.wait_for_load_state()
    page.get_by_test_id("confirm-approve").click()
    page.wait_for_load_state()
    assert "已核准 2 件申领" in message(page)

    page.goto(f"{url}/money/claims/{rejected}/")
    page.locator("#reject-reason").fill("考勤签到表与实训线排班记录不一致，需核实")
    page.get_by_test_id("reject").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("claim-status").inner_text() == "未通过"

    page.goto(f"{url}/money/payments/")
    page.get_by_test_id("pay-batch").click()
    page.wait_for_load_state()
    # The batch's summary and total come before anything is paid; the confirm is a deliberate click.
    page.get_by_test_id("check-total").wait_for()
    page.get_by_test_id("confirm-pay").click()
    page.wait_for_load_state()
    assert "已支付 2 件，合计 1,200.00 元" in message(page)
    assert SubsidyClaim.objects.get(number=approved).status == ClaimStatus.PAID
    sign_out(page)

    # ---- Appeal: the institution appeals with a document; a different official upholds it. ----
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/money/claims/{rejected}/")
    appeal_form = page.get_by_test_id("appeal-form")
    appeal_form.locator("#appeal-reason").fill("排班记录为旧版，附实训线签到原件扫描件")
    appeal_form.locator("#appeal-documents").set_input_files(
        {"name": "签到表.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"})
    page.get_by_test_id("file-appeal").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("appeal-status").first.inner_text().startswith("待复核")
    sign_out(page)

    # A second 南宁 official (set-up: an account, like the personas), not the one who rejected.
    second = User.objects.create(username="nanning2", password=nanning_official.password,
                                 role=nanning_official.role, city=nanning_official.city)
    sign_in(page, second.username, password)
    page.goto(f"{url}/money/appeals/")
    page.get_by_test_id(f"open-appeal-{rejected}").click()
    assert page.get_by_test_id("same-official").count() == 0
    page.get_by_label("申诉成立：重新判定并核准").check()
    page.get_by_label("裁决理由").fill("签到原件与考勤一致，原驳回理由不成立")
    page.get_by_test_id("decide-appeal").click()
    page.wait_for_load_state()
    assert "成立" in page.get_by_test_id("appeal-status").inner_text()
    assert SubsidyClaim.objects.get(number=rejected).status == ClaimStatus.APPROVED
    page.goto(f"{url}/money/payments/")
    page.get_by_test_id("pay-batch").click()
    page.wait_for_load_state()
    # The batch's summary and total come before anything is paid; the confirm is a deliberate click.
    page.get_by_test_id("check-total").wait_for()
    page.get_by_test_id("confirm-pay").click()
    page.wait_for_load_state()
    assert "已支付 1 件" in message(page)
    appeal = Appeal.objects.get(claim__number=rejected)
    assert appeal.decided_by_id == second.pk and appeal.documents.count() == 1
    sign_out(page)

    # ---- 5.2c: three months after the class ended, the employment proof on the paid claim's page; the
    # 200 CNY becomes a top-up the city approves and pays with its next batch. ----
    set_today(date(2026, 1, 5))
    sign_in(page, SCHOOL_USER, SCHOOL_PASSWORD)
    page.goto(f"{url}/money/claims/{employed}/")
    assert page.get_by_test_id("claim-status").inner_text() == "已支付"
    proof = page.get_by_test_id("proof-form")
    proof.get_by_label("证明类型").select_option("labour_contract")
    proof.get_by_label("证明日期").fill("2025-12-30")
    page.get_by_test_id("add-proof").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("claim-total").inner_text() == "800.00"
    assert page.get_by_test_id("topup").inner_text().startswith("200.00 元 · 待审核")
    sign_out(page)

    sign_in(page, nanning_official.username, password)
    page.goto(f"{url}/money/review/")
    topup_row = page.get_by_test_id("topup-table").locator("tr", has_text=employed)
    assert "劳动合同" in topup_row.inner_text() and "200.00" in topup_row.inner_text()
    topup_row.get_by_role("link", name=employed).click()
    page.locator("#topup-reason").fill("劳动合同日期满结业后三个自然月")
    page.get_by_test_id("approve-topup").click()
    page.wait_for_load_state()
    # The check step says what will be reserved, from which account; only the confirm reserves it.
    assert page.get_by_test_id("check-total").inner_text() == "200.00"
    assert "预留" in page.get_by_test_id("check-movement").inner_text()
    page.get_by_test_id("confirm-topup").click()
    page.wait_for_load_state()
    assert "的就业补贴 200.00 元已核准" in message(page) and employed in message(page)
    page.goto(f"{url}/money/payments/")
    page.get_by_test_id("pay-batch").click()
    page.wait_for_load_state()
    # The batch's summary and total come before anything is paid; the confirm is a deliberate click.
    page.get_by_test_id("check-total").wait_for()
    page.get_by_test_id("confirm-pay").click()
    page.wait_for_load_state()
    assert "已支付 1 件，合计 200.00 元" in message(page)
    topup_payment = Payment.objects.get(claim__number=employed, part=PaymentPart.EMPLOYMENT_TOPUP)
    assert topup_payment.amount == Decimal("200.00")
    assert sum(p.amount for p in Payment.objects.filter(claim__number=employed)) == Decimal("800.00")
    page.goto(f"{url}/money/claims/{employed}/")
    assert page.get_by_test_id("topup").inner_text().startswith("200.00 元 · 已支付")

    # ---- The fund dashboard shows the money paid; the ledger balances. ----
    page.goto(f"{url}/money/funds/")
    assert page.get_by_test_id("fund-paid").all_inner_texts() == ["2,000.00"]
    shot(page, "06-funds")
    assert set(SubsidyClaim.objects.values_list("status", flat=True)) == {ClaimStatus.PAID}
    assert FundAccount.objects.get(pk=fund.pk).paid == Decimal("2000.00")
    assert verify_ledger().ok
