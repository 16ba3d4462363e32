/*
 * api/reports.c — GET /api/v1/reports/periodic: the periodic report (báo cáo định kỳ) as an
 * administrative document in the layout of Decree 30/2020/NĐ-CP, as HTML (with its print
 * stylesheet), PDF, or the figures as JSON.
 *
 * The figures are PostgreSQL's (report_figures, sql/functions/46_reports.sql), which takes them
 * from stats_overview, the same SQL as the dashboard's; this file only renders the document:
 * every piece of data through html_text (http/html.h), since names come from people. The
 * stylesheet is the web client's web/css/report.css (A4, the decree's margins and fonts), read
 * from WEB_ROOT and put inside the document, so that the HTML, the PDF and the web client's
 * preview share one. The PDF is WeasyPrint's rendering of that HTML, run as a filter program
 * (util/subprocess.h) after the database connection has gone back to the pool, with a time limit
 * (PDF_TIMEOUT_MS) and at most PDF_MAX_CONCURRENT at once per process (503 with Retry-After
 * beyond): a renderer that hangs or dies is killed and answered 503, never waited on.
 * docs/reporting.md shows the document and says what each part is.
 */
#define _GNU_SOURCE /* strcasestr */
#include "api/reports.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/html.h"
#include "http/router.h"
#include "util/log.h"
#include "util/subprocess.h"
#include "util/utf8.h"

/* $1, $2 actor, $3 unit or NULL, $4 period, $5 year, $6 number -> the document or NULL. */
static const char SQL_FIGURES[] = "SELECT report_figures($1, $2::uuid, $3, $4, $5::int, $6::int)::text";

static const char *const PERIODS[] = {"month", "quarter", "half", "year", NULL};
static const char *const FORMATS[] = {"html", "pdf", "json", NULL};

const char *const REPORT_HEADING_NAMES[REPORT_HEADINGS] = {
    "doc_number", "authority", "issuer", "place", "signer_authority", "signer_title", "signer_name",
    "recipients",
};

/* Characters each heading may have (recipients: several lines). */
static const long HEADING_MAX[REPORT_HEADINGS] = {40, 200, 200, 100, 100, 100, 100, 1000};

enum { YEAR_MIN = 2000, YEAR_MAX = 2100 };

const struct field REPORT_BODY_FIELDS[] = {
    {"period", FIELD_ENUM, FIELD_REQUIRED, 0, 0, PERIODS, NULL},
    {"year", FIELD_INT, FIELD_REQUIRED, YEAR_MIN, YEAR_MAX, NULL, NULL},
    {"number", FIELD_INT, 0, 1, 12, NULL, NULL},
    {"doc_number", FIELD_STRING, 0, 0, 40, NULL, NULL},
    {"authority", FIELD_STRING, 0, 0, 200, NULL, NULL},
    {"issuer", FIELD_STRING, 0, 0, 200, NULL, NULL},
    {"place", FIELD_STRING, 0, 0, 100, NULL, NULL},
    {"signer_authority", FIELD_STRING, 0, 0, 100, NULL, NULL},
    {"signer_title", FIELD_STRING, 0, 0, 100, NULL, NULL},
    {"signer_name", FIELD_STRING, 0, 0, 100, NULL, NULL},
    {"recipients", FIELD_STRING, 0, 0, 1000, NULL, NULL},
    {"note", FIELD_STRING, 0, 0, 2000, NULL, NULL},
};
const size_t REPORT_BODY_FIELD_COUNT = COUNT_OF(REPORT_BODY_FIELDS);

/* ---------------------------------------------------------------------------------------------
 * Arguments. */

/* 422 unless number fits the period: 1..12 months, 1..4 quarters, 1..2 halves, none for a year. */
static void check_number(request *r, struct report_args *a, bool given)
{
    long max = strcmp(a->period, "month") == 0 ? 12 : strcmp(a->period, "quarter") == 0 ? 4
               : strcmp(a->period, "half") == 0 ? 2 : 0;
    if (max == 0) {
        a->number = 0;
        return;
    }
    if (!given)
        request_field_error(r, "number", arena_printf(r->arena, "is required for a %s: 1 to %ld", a->period, max));
    else if (a->number < 1 || a->number > max)
        request_field_error(r, "number", arena_printf(r->arena, "must be from 1 to %ld for a %s", max, a->period));
}

bool report_args_from_query_or_fail(request *r, struct report_args *a)
{
    memset(a, 0, sizeof *a);
    const char *unit = query_get(r, "unit");
    a->unit = unit && *unit ? unit : NULL;
    const char *period = query_get(r, "period");
    static const struct filter period_filter = {"period", FIELD_ENUM, PERIODS};
    if (!period || !*period)
        request_field_error(r, "period", "is required: month, quarter, half or year");
    else if (query_filter_problem(&period_filter, period))
        request_field_error(r, "period", "must be month, quarter, half or year");
    else
        a->period = period;
    const char *year = query_get(r, "year");
    if (!year || !*year)
        request_field_error(r, "year", "is required");
    else if (!query_count(year, YEAR_MIN, YEAR_MAX, &a->year))
        request_field_error(r, "year", "must be a year from 2000 to 2100");
    const char *number = query_get(r, "number");
    bool number_ok = true;
    if (number && *number && !query_count(number, 0, 99, &a->number)) {
        request_field_error(r, "number", "must be a whole number");
        number_ok = false;
    }
    if (a->period && number_ok)
        check_number(r, a, number && *number);
    for (int i = 0; i < REPORT_HEADINGS; i++) {
        const char *v = query_get(r, REPORT_HEADING_NAMES[i]);
        if (v && utf8_length(v) > (size_t)HEADING_MAX[i])
            request_field_error(r, REPORT_HEADING_NAMES[i],
                                arena_printf(r->arena, "must be at most %ld characters", HEADING_MAX[i]));
        a->heading[i] = v && *v ? v : NULL;
    }
    if (!request_fields_ok_or_fail(r))
        return false;
    if (a->unit && check_unit_code(a->unit)) {
        request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");
        return false;
    }
    return true;
}

static const char *string_of(const cJSON *body, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

bool report_args_from_body_or_fail(request *r, const cJSON *body, struct report_args *a)
{
    memset(a, 0, sizeof *a);
    a->period = string_of(body, "period");
    a->year = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(body, "year"));
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(body, "number");
    a->number = cJSON_IsNumber(number) ? (long)number->valuedouble : 0;
    check_number(r, a, cJSON_IsNumber(number));
    for (int i = 0; i < REPORT_HEADINGS; i++)
        a->heading[i] = string_of(body, REPORT_HEADING_NAMES[i]);
    return request_fields_ok_or_fail(r);
}

const char *report_args_json(request *r, const struct report_args *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "period", a->period);
    cJSON_AddNumberToObject(o, "year", (double)a->year);
    if (a->number)
        cJSON_AddNumberToObject(o, "number", (double)a->number);
    for (int i = 0; i < REPORT_HEADINGS; i++)
        if (a->heading[i])
            cJSON_AddStringToObject(o, REPORT_HEADING_NAMES[i], a->heading[i]);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        abort(); /* cJSON fails only on allocation */
    char *copy = arena_strdup(r->arena, text);
    cJSON_free(text);
    return copy;
}

const char *report_format_or_fail(request *r)
{
    const char *format = query_get(r, "format");
    if (format && *format) {
        for (int i = 0; FORMATS[i]; i++)
            if (strcmp(format, FORMATS[i]) == 0)
                return FORMATS[i];
        request_field_error(r, "format", "must be html, pdf or json");
        request_fields_ok_or_fail(r);
        return NULL;
    }
    const char *accept = mg_get_header(r->conn, "Accept");
    if (accept && strcasestr(accept, "application/pdf"))
        return "pdf";
    if (accept && strcasestr(accept, "application/json") && !strcasestr(accept, "text/html"))
        return "json";
    return "html";
}

/* ---------------------------------------------------------------------------------------------
 * The document. */

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *text_of(const cJSON *o, const char *name)
{
    const cJSON *v = get(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long num(const cJSON *o, const char *name)
{
    const cJSON *v = get(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static const char *const ROMAN[] = {"", "I", "II", "III", "IV"}; /* quarters */

/* "tháng 11 năm 2026", "quý IV năm 2026", "6 tháng đầu năm 2026", "năm 2026". */
static void period_words(buf *out, const char *period, long year, long number)
{
    if (strcmp(period, "month") == 0)
        buf_printf(out, "tháng %ld năm %ld", number, year);
    else if (strcmp(period, "quarter") == 0)
        buf_printf(out, "quý %s năm %ld", ROMAN[number], year);
    else if (strcmp(period, "half") == 0)
        buf_printf(out, "6 tháng %s năm %ld", number == 1 ? "đầu" : "cuối", year);
    else
        buf_printf(out, "năm %ld", year);
}

/* The decree writes the day below 10 and the months 1 and 2 with a leading zero. */
static void date_line(buf *out, const char *local)
{
    int y = 0, m = 0, d = 0;
    if (!local || sscanf(local, "%d-%d-%d", &y, &m, &d) != 3)
        return;
    buf_printf(out, "ngày %02d tháng %s%d năm %d", d, m <= 2 ? "0" : "", m, y);
}

/* The place name: the unit's name without the word for its kind ("Tỉnh Bình Dương" -> "Bình
 * Dương", "Phường Thủ Dầu Một" -> "Thủ Dầu Một"); a centrally run city keeps "Thành phố". */
static const char *place_of(request *r, const char *name, const char *level)
{
    static const char *const PREFIXES[] = {"Tỉnh ", "Huyện ", "Quận ", "Thị xã ", "Thị trấn ", "Xã ",
                                           "Phường ", "Khu vực ", "Thành phố ", NULL};
    for (int i = 0; name && PREFIXES[i]; i++) {
        size_t n = strlen(PREFIXES[i]);
        bool city = strcmp(PREFIXES[i], "Thành phố ") == 0;
        if (strncmp(name, PREFIXES[i], n) == 0 && !(city && level && strcmp(level, "province") == 0))
            return arena_strdup(r->arena, name + n);
    }
    return name ? name : "";
}

static const char *heading_or(const struct report_args *a, int which, const char *fallback)
{
    return a->heading[which] ? a->heading[which] : fallback;
}

static void cell_number(buf *out, long long n)
{
    buf_puts(out, "<td class=\"num\">");
    html_number(out, n);
    buf_puts(out, "</td>");
}

/* One row of a child unit's (or the totals') figures; name NULL: the totals row. */
static void unit_row(buf *out, int index, const char *name, const cJSON *f)
{
    buf_puts(out, index ? "<tr>" : "<tr class=\"total\">");
    if (index)
        buf_printf(out, "<td class=\"num\">%d</td><td>", index);
    else
        buf_puts(out, "<td></td><td>");
    html_text(out, name ? name : "Tổng cộng");
    buf_puts(out, "</td><td class=\"num\">");
    html_number(out, num(f, "communes_with_team"));
    buf_puts(out, "/");
    html_number(out, num(f, "communes_total"));
    buf_puts(out, "</td>");
    static const char *const COLUMNS[] = {"teams_active", "teams_compliant", "members_active",
                                          "members_trained", "activities", "people_reached",
                                          "targets_done_on_time", "targets_done_late", "targets_overdue", NULL};
    for (int i = 0; COLUMNS[i]; i++)
        cell_number(out, num(f, COLUMNS[i]));
    buf_puts(out, "</tr>\n");
}

static void section(buf *out, const char *title)
{
    buf_puts(out, "<h2>");
    html_text(out, title);
    buf_puts(out, "</h2>\n");
}

/* "{whole}{whole_text}, trong đó {part}{part_text} ({the part of the whole, %})", from figures f. */
static void of_which(buf *out, const cJSON *f, const char *whole, const char *whole_text, const char *part,
                     const char *part_text)
{
    html_number(out, num(f, whole));
    buf_puts(out, whole_text);
    buf_puts(out, ", trong đó ");
    html_number(out, num(f, part));
    buf_puts(out, part_text);
    buf_puts(out, " (");
    html_percent(out, num(f, part), num(f, whole));
    buf_puts(out, ")");
}

static void render(request *r, const cJSON *doc, const struct report_args *a, const char *css, buf *out)
{
    const cJSON *unit = get(doc, "unit"), *period = get(doc, "period"), *overview = get(doc, "overview");
    const cJSON *totals = get(overview, "totals"), *children = get(overview, "children");
    const cJSON *enterprise = get(doc, "enterprise");
    const char *unit_name = text_of(unit, "name"), *level = text_of(unit, "level");
    const char *ent_name = text_of(enterprise, "name");
    const char *who = ent_name ? ent_name : unit_name;
    const char *as_of = text_of(doc, "as_of_local");

    buf words = {0};
    period_words(&words, a->period, a->year, a->number);

    const char *authority = heading_or(a, REPORT_AUTHORITY,
                                       ent_name ? "" : arena_printf(r->arena, "UBND %s", unit_name));
    const char *issuer = heading_or(a, REPORT_ISSUER, ent_name ? ent_name : "Ban Chỉ đạo chuyển đổi số");
    const char *place = heading_or(a, REPORT_PLACE, place_of(r, text_of(get(doc, "unit"), "name"), level));
    const cJSON *parent = get(unit, "parent");
    const char *recipients = heading_or(
        a, REPORT_RECIPIENTS,
        cJSON_IsObject(parent) && !ent_name
            ? arena_printf(r->arena, "Ban Chỉ đạo chuyển đổi số %s\nLưu: VT", text_of(parent, "name"))
            : "Lưu: VT");

    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\n<title>Báo cáo ");
    html_text(out, words.data);
    buf_puts(out, " – ");
    html_text(out, who);
    buf_puts(out, "</title>\n<style>\n");
    buf_puts(out, css);
    buf_puts(out, "</style></head>\n<body>\n<article class=\"bc\" data-unit=\"");
    html_text(out, text_of(unit, "code"));
    buf_puts(out, "\" data-as-of=\"");
    html_text(out, text_of(doc, "as_of"));
    buf_puts(out, "\">\n");

    /* Quốc hiệu, tiêu ngữ and the issuing body side by side (decree, Appendix I, 1 and 3). */
    buf_puts(out, "<table class=\"bc-head\"><tr><td class=\"bc-org\">\n<div class=\"bc-authority\">");
    html_text(out, authority);
    buf_puts(out, "</div>\n<div class=\"bc-issuer\">");
    html_text(out, issuer);
    buf_puts(out, "</div>\n<div class=\"bc-rule\"></div>\n<div class=\"bc-number\">Số: ");
    if (a->heading[REPORT_DOC_NUMBER])
        html_text(out, a->heading[REPORT_DOC_NUMBER]);
    else
        buf_puts(out, "<span class=\"bc-blank\"></span>/BC-BCĐ");
    buf_puts(out, "</div>\n</td><td class=\"bc-nation\">\n"
                  "<div class=\"bc-qh\">Cộng hòa xã hội chủ nghĩa Việt Nam</div>\n"
                  "<div class=\"bc-tn\"><span>Độc lập - Tự do - Hạnh phúc</span></div>\n"
                  "<div class=\"bc-place\">");
    html_text(out, place);
    buf_puts(out, ", ");
    date_line(out, as_of);
    buf_puts(out, "</div>\n</td></tr></table>\n");

    buf_puts(out, "<h1 class=\"bc-kind\">Báo cáo</h1>\n<p class=\"bc-summary\">Kết quả hoạt động của Tổ công nghệ số cộng đồng ");
    html_text(out, words.data);
    buf_puts(out, "</p>\n<div class=\"bc-summary-rule\"></div>\n<p class=\"bc-asof\">(Số liệu tính đến ");
    if (as_of && strlen(as_of) >= 16)
        buf_printf(out, "%.5s ngày ", as_of + 11);
    html_date(out, as_of);
    buf_puts(out, "; kỳ báo cáo từ ngày ");
    html_date(out, text_of(period, "from"));
    buf_puts(out, " đến ngày ");
    html_date(out, text_of(period, "to"));
    buf_puts(out, ")</p>\n");

    /* I. Teams and members. */
    section(out, "I. Tình hình thành lập, kiện toàn Tổ công nghệ số cộng đồng");
    buf_puts(out, "<p>Đến thời điểm báo cáo, ");
    html_text(out, ent_name ? ent_name : arena_printf(r->arena, "toàn %s", unit_name));
    buf_puts(out, " có ");
    if (!ent_name && num(totals, "communes_total") > 0) {
        html_number(out, num(totals, "communes_with_team"));
        buf_puts(out, "/");
        html_number(out, num(totals, "communes_total"));
        buf_puts(out, " xã, phường, thị trấn đã thành lập Tổ công nghệ số cộng đồng (đạt ");
        html_percent(out, num(totals, "communes_with_team"), num(totals, "communes_total"));
        buf_puts(out, "); ");
    }
    of_which(out, totals, "teams_active", " tổ đang hoạt động", "teams_compliant", " tổ đạt cơ cấu theo quy định");
    buf_puts(out, "; tổng số ");
    of_which(out, totals, "members_active", " thành viên", "members_trained", " thành viên đã hoàn thành tập huấn");
    buf_puts(out, ".</p>\n");

    /* II. Activities of the period. */
    section(out, "II. Kết quả hoạt động trong kỳ báo cáo");
    if (num(totals, "activities") == 0) {
        buf_puts(out, "<p class=\"bc-empty\">Trong kỳ báo cáo chưa có hoạt động nào được ghi nhận.</p>\n");
    } else {
        buf_puts(out, "<p>Trong kỳ báo cáo, các Tổ công nghệ số cộng đồng đã tổ chức ");
        html_number(out, num(totals, "activities"));
        buf_puts(out, " hoạt động, hỗ trợ ");
        html_number(out, num(totals, "people_reached"));
        buf_puts(out, " lượt người dân. Kết quả cụ thể:</p>\n");
    }
    static const struct {
        const char *key, *label;
    } OUTCOMES[] = {
        {"activities", "Số hoạt động"},
        {"people_reached", "Số người được hỗ trợ"},
        {"vneid_activations", "Tài khoản định danh điện tử được kích hoạt"},
        {"public_service_applications", "Hồ sơ dịch vụ công trực tuyến"},
        {"cashless_accounts", "Tài khoản thanh toán được mở"},
        {"ecommerce_shops", "Gian hàng thương mại điện tử"},
        {"app_installs", "Lượt cài đặt ứng dụng"},
        {"people_trained", "Người được tập huấn kỹ năng số"},
    };
    buf_puts(out, "<table class=\"bc-table bc-outcomes\"><thead><tr><th>STT</th><th>Chỉ tiêu</th>"
                  "<th>Kết quả</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < COUNT_OF(OUTCOMES); i++) {
        buf_printf(out, "<tr data-figure=\"%s\"><td class=\"num\">%zu</td><td>", OUTCOMES[i].key, i + 1);
        html_text(out, OUTCOMES[i].label);
        buf_puts(out, "</td>");
        cell_number(out, num(totals, OUTCOMES[i].key));
        buf_puts(out, "</tr>\n");
    }
    buf_puts(out, "</tbody></table>\n");

    /* III. Deadlines due in the period. */
    section(out, "III. Tình hình thực hiện nhiệm vụ có thời hạn");
    long long on_time = num(totals, "targets_done_on_time"), late = num(totals, "targets_done_late"),
              overdue = num(totals, "targets_overdue"), pending = num(totals, "targets_pending");
    if (on_time + late + overdue + pending == 0) {
        buf_puts(out, "<p class=\"bc-empty\">Trong kỳ báo cáo không có nhiệm vụ nào đến hạn.</p>\n");
    } else {
        buf_puts(out, "<p>Trong kỳ báo cáo có ");
        html_number(out, on_time + late + overdue + pending);
        buf_puts(out, " lượt đơn vị được giao nhiệm vụ đến hạn: ");
        html_number(out, on_time);
        buf_puts(out, " hoàn thành đúng hạn, ");
        html_number(out, late);
        buf_puts(out, " hoàn thành trễ hạn, ");
        html_number(out, overdue);
        buf_puts(out, " quá hạn chưa hoàn thành, ");
        html_number(out, pending);
        buf_puts(out, " chưa đến hạn; tỷ lệ đúng hạn ");
        html_percent(out, on_time, on_time + late + overdue);
        buf_puts(out, ".</p>\n<table class=\"bc-table bc-deadlines\"><thead><tr><th>STT</th><th>Nhiệm vụ</th>"
                      "<th>Hạn hoàn thành</th><th>Số đơn vị</th><th>Đúng hạn</th><th>Trễ hạn</th>"
                      "<th>Quá hạn</th><th>Chưa đến hạn</th></tr></thead><tbody>\n");
        int i = 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, get(doc, "deadlines"))
        {
            buf_printf(out, "<tr><td class=\"num\">%d</td><td>", ++i);
            html_text(out, text_of(d, "title"));
            buf_puts(out, "</td><td class=\"num\">");
            html_date(out, text_of(d, "due_on"));
            buf_puts(out, "</td>");
            cell_number(out, num(d, "total"));
            cell_number(out, num(d, "done_on_time"));
            cell_number(out, num(d, "done_late"));
            cell_number(out, num(d, "overdue"));
            cell_number(out, num(d, "pending"));
            buf_puts(out, "</tr>\n");
        }
        buf_puts(out, "</tbody></table>\n");
        if (cJSON_GetArraySize(get(doc, "late")) > 0) {
            buf_puts(out, "<p>Các đơn vị hoàn thành trễ hạn hoặc quá hạn:</p>\n<table class=\"bc-table bc-late\">"
                          "<thead><tr><th>STT</th><th>Đơn vị</th><th>Nhiệm vụ</th><th>Hạn hoàn thành</th>"
                          "<th>Kết quả</th></tr></thead><tbody>\n");
            i = 0;
            cJSON_ArrayForEach(d, get(doc, "late"))
            {
                buf_printf(out, "<tr><td class=\"num\">%d</td><td>", ++i);
                html_text(out, text_of(d, "name"));
                if (text_of(d, "district")) {
                    buf_puts(out, " (");
                    html_text(out, text_of(d, "district"));
                    buf_puts(out, ")");
                }
                buf_puts(out, "</td><td>");
                html_text(out, text_of(d, "deadline"));
                buf_puts(out, "</td><td class=\"num\">");
                html_date(out, text_of(d, "due_on"));
                buf_puts(out, "</td><td>");
                const char *status = text_of(d, "status");
                buf_puts(out, status && strcmp(status, "late") == 0 ? "Trễ hạn" : "Quá hạn");
                buf_puts(out, "</td></tr>\n");
            }
            buf_puts(out, "</tbody></table>\n");
            long long more = num(doc, "late_total") - i;
            if (more > 0) {
                buf_puts(out, "<p>Và ");
                html_number(out, more);
                buf_puts(out, " lượt đơn vị khác (xem danh sách xuất Excel của từng nhiệm vụ).</p>\n");
            }
        }
    }

    /* IV. Per child unit, with the totals. */
    if (cJSON_GetArraySize(children) > 0) {
        section(out, "IV. Số liệu theo đơn vị");
        buf_puts(out, "<table class=\"bc-table bc-units\"><thead><tr><th>STT</th><th>Đơn vị</th>"
                      "<th>Xã có tổ</th><th>Tổ hoạt động</th><th>Tổ đạt cơ cấu</th><th>Thành viên</th>"
                      "<th>Đã tập huấn</th><th>Hoạt động</th><th>Người được hỗ trợ</th><th>Đúng hạn</th>"
                      "<th>Trễ hạn</th><th>Quá hạn</th></tr></thead><tbody>\n");
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, children) unit_row(out, ++i, text_of(c, "name"), c);
        unit_row(out, 0, NULL, totals);
        buf_puts(out, "</tbody></table>\n");
    }

    buf_puts(out, "<p class=\"bc-end\">Trên đây là báo cáo kết quả hoạt động của Tổ công nghệ số cộng đồng ");
    html_text(out, words.data);
    buf_puts(out, " của ");
    html_text(out, who);
    buf_puts(out, "./.</p>\n");

    /* Nơi nhận and the signer (decree, Appendix I, 8 and 7). */
    buf_puts(out, "<table class=\"bc-foot\"><tr><td class=\"bc-recipients\">\n<p class=\"bc-recipients-title\">Nơi nhận:</p>\n");
    const char *line = recipients;
    while (*line) {
        size_t len = strcspn(line, "\r\n");
        if (len > 0) {
            char *one = arena_strndup(r->arena, line, len);
            bool last = line[len + strspn(line + len, "\r\n")] == '\0';
            buf_puts(out, "<p>- ");
            html_text(out, one[0] == '-' ? one + strspn(one, "- ") : one);
            buf_puts(out, last ? ".</p>\n" : ";</p>\n");
        }
        line += len;
        line += strspn(line, "\r\n");
    }
    buf_puts(out, "</td><td class=\"bc-signer\">\n<div class=\"bc-sign-authority\">");
    html_text(out, heading_or(a, REPORT_SIGNER_AUTHORITY, ent_name ? "" : "TM. Ban Chỉ đạo"));
    buf_puts(out, "</div>\n<div class=\"bc-sign-title\">");
    html_text(out, heading_or(a, REPORT_SIGNER_TITLE, ent_name ? "Thủ trưởng đơn vị" : "Trưởng ban"));
    buf_puts(out, "</div>\n<div class=\"bc-sign-space\"></div>\n<div class=\"bc-sign-name\">");
    html_text(out, heading_or(a, REPORT_SIGNER_NAME, ""));
    buf_puts(out, "</div>\n</td></tr></table>\n</article>\n</body></html>\n");
    buf_free(&words);
}

/* web/css/report.css, or "" (a plain document) when it cannot be read. Caller frees. */
static void read_css(buf *css)
{
    char *path = NULL;
    if (asprintf(&path, "%s/css/report.css", server_config->web_root) < 0)
        abort();
    FILE *f = fopen(path, "rb");
    free(path);
    if (f) {
        char chunk[8192];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(css, chunk, n);
        fclose(f);
    } else {
        log_event("warn", NULL, "report: web/css/report.css could not be read; the report has no stylesheet",
                  NULL, NULL);
    }
    buf_puts(css, "");
}

bool report_make_or_fail(request *r, const struct report_args *a, const char **figures, buf *html)
{
    const char *params[6];
    actor_params(r, params);
    params[2] = a->unit;
    params[3] = a->period;
    params[4] = arena_printf(r->arena, "%ld", a->year);
    params[5] = arena_printf(r->arena, "%ld", a->number ? a->number : 1);
    PGresult *res = db_query(r, SQL_FIGURES, 6, params);
    if (!res)
        return false;
    *figures = db_value(res, 0);
    if (!*figures) {
        request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");
        return false;
    }
    cJSON *doc = cJSON_Parse(*figures);
    if (!doc)
        abort(); /* PostgreSQL built it: only allocation can fail */
    buf css = {0};
    read_css(&css);
    render(r, doc, a, css.data, html);
    buf_free(&css);
    cJSON_Delete(doc);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * The answer. */

static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;
static int pdf_running;

static bool pdf_slot_take(void)
{
    pthread_mutex_lock(&pdf_lock);
    bool ok = pdf_running < server_config->pdf_max_concurrent;
    if (ok)
        pdf_running++;
    pthread_mutex_unlock(&pdf_lock);
    return ok;
}

static void pdf_slot_give(void)
{
    pthread_mutex_lock(&pdf_lock);
    pdf_running--;
    pthread_mutex_unlock(&pdf_lock);
}

static void free_buf(void *p)
{
    buf_free(p);
}

enum { PDF_MAX_BYTES = 64 * 1024 * 1024 };

static int answer_pdf(request *r, const char *html, const char *name)
{
    db_release(r); /* the rendering takes seconds: nobody waits for this connection meanwhile */
    if (!pdf_slot_take()) {
        r->extra_header = "Retry-After: 5";
        return request_fail(r, PROBLEM_UNAVAILABLE, "Other reports are being printed; try again in a few seconds");
    }
    const char *tmp = getenv("TMPDIR");
    const char *env[] = {
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "LANG=C.UTF-8",
        /* fontconfig keeps its cache here; the server's account may have no home. */
        arena_printf(r->arena, "XDG_CACHE_HOME=%s", tmp && *tmp ? tmp : "/tmp"),
        arena_printf(r->arena, "HOME=%s", tmp && *tmp ? tmp : "/tmp"),
        NULL,
    };
    const char *argv[] = {server_config->pdf_renderer, "--encoding", "utf-8", "-", "-", NULL};
    buf *pdf = arena_alloc(r->arena, sizeof *pdf);
    arena_defer(r->arena, free_buf, pdf);
    subprocess_result res = subprocess_filter(argv, env, html, strlen(html), pdf,
                                              server_config->pdf_timeout_ms, PDF_MAX_BYTES);
    pdf_slot_give();
    if (res != SUBPROCESS_OK || pdf->len < 5 || memcmp(pdf->data, "%PDF-", 5) != 0) {
        log_event("error", r->request_id, "report: the PDF renderer failed", "result",
                  res == SUBPROCESS_TIMEOUT     ? "timeout"
                  : res == SUBPROCESS_TOO_LARGE ? "too large"
                                                : "failed or not installed");
        r->extra_header = "Retry-After: 30";
        return request_fail(r, PROBLEM_UNAVAILABLE, "The PDF could not be made; try again later, or print the HTML");
    }
    r->content_type = "application/pdf";
    r->response_body = pdf->data;
    r->response_len = pdf->len;
    r->extra_header = arena_printf(r->arena, "Content-Disposition: attachment; filename=\"%s.pdf\"", name);
    return 200;
}

/* The document's own policy: its inline stylesheet, nothing else (no script, no fetch). */
static const char REPORT_CSP[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

int report_answer(request *r, const char *format, const char *html, const char *figures, const char *name)
{
    if (strcmp(format, "json") == 0)
        return respond_json(r, 200, figures, 0);
    if (strcmp(format, "pdf") == 0)
        return answer_pdf(r, html, name);
    r->content_type = "text/html; charset=utf-8";
    r->response_body = html;
    r->response_len = strlen(html);
    r->content_security_policy = REPORT_CSP;
    r->extra_header = arena_printf(r->arena, "Content-Disposition: inline; filename=\"%s.html\"", name);
    return 200;
}

/* "bao-cao-79-thang-11-2026": the file's name. */
static const char *file_name(request *r, const struct report_args *a, const char *figures)
{
    cJSON *doc = cJSON_Parse(figures);
    const char *code = text_of(get(doc, "unit"), "code");
    const char *kind = strcmp(a->period, "month") == 0 ? "thang" : strcmp(a->period, "quarter") == 0 ? "quy"
                       : strcmp(a->period, "half") == 0  ? "6-thang" : "nam";
    char *name = a->number ? arena_printf(r->arena, "bao-cao-%s-%s-%ld-%ld", code ? code : "", kind, a->number, a->year)
                           : arena_printf(r->arena, "bao-cao-%s-%s-%ld", code ? code : "", kind, a->year);
    cJSON_Delete(doc);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '-'; /* a version's key (25747@2025-07-01) has no place in a header's quotes */
    return name;
}

int reports_periodic(request *r)
{
    const char *format = report_format_or_fail(r);
    if (!format)
        return API_FAILED;
    struct report_args a;
    if (!report_args_from_query_or_fail(r, &a))
        return API_FAILED;
    const char *figures;
    buf *html = arena_alloc(r->arena, sizeof *html);
    arena_defer(r->arena, free_buf, html);
    if (!report_make_or_fail(r, &a, &figures, html))
        return API_FAILED;
    return report_answer(r, format, html->data, figures, file_name(r, &a, figures));
}
