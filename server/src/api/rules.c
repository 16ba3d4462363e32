/*
 * api/rules.c — /api/v1/rules: the structure rules each team kind must meet.
 *
 * One document holds the rules of every kind; PUT replaces all of them at once (province only),
 * honouring If-Match against the document's version.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

static const char SQL_GET[] = "SELECT rules_doc()::text, (SELECT max(version) FROM structure_rules)";

static const char SQL_LOCK[] = "SELECT max(version) FROM (SELECT version FROM structure_rules FOR UPDATE) v";

static const char SQL_PUT[] =
    "UPDATE structure_rules s SET min_members = x.min_members, max_members = x.max_members,"
    "       leader_required = x.leader_required, deputy_required = x.deputy_required,"
    "       min_it_skilled = x.min_it_skilled, required_affiliations = x.required_affiliations,"
    "       version = v.version + 1, updated_at = now()"
    "  FROM jsonb_each($1::jsonb) e,"
    "       jsonb_to_record(e.value) AS x(min_members int, max_members int, leader_required boolean,"
    "                                     deputy_required boolean, min_it_skilled int,"
    "                                     required_affiliations text[]),"
    "       (SELECT max(version) AS version FROM structure_rules) v"
    " WHERE s.team_kind = e.key";

static const struct field RULE_FIELDS[] = {
    {"min_members", FIELD_INT, FIELD_REQUIRED, 0, 1000, NULL, NULL},
    {"max_members", FIELD_INT, 0, 1, 1000, NULL, NULL},
    {"leader_required", FIELD_BOOL, FIELD_REQUIRED, 0, 0, NULL, NULL},
    {"deputy_required", FIELD_BOOL, FIELD_REQUIRED, 0, 0, NULL, NULL},
    {"min_it_skilled", FIELD_INT, FIELD_REQUIRED, 0, 1000, NULL, NULL},
    {"required_affiliations", FIELD_ENUM_LIST, FIELD_REQUIRED, 0, 0, AFFILIATIONS, NULL},
};

static void sink_to_request(void *ctx, const char *field, const char *message)
{
    request_field_error(ctx, field, message);
}

static void validate_rules(request *r)
{
    if (!cJSON_IsObject(r->body)) {
        request_field_error(r, "", "must be a JSON object");
        return;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, r->body)
    {
        bool known = false;
        for (const char *const *k = TEAM_KINDS; *k; k++)
            known |= strcmp(*k, item->string) == 0;
        if (!known && strcmp(item->string, "version") != 0)
            request_field_error(r, item->string, "is not a team kind");
        else if (!known)
            request_field_error(r, item->string, "is set by the server and cannot be written");
    }
    for (const char *const *k = TEAM_KINDS; *k; k++) {
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(r->body, *k);
        if (!rules) {
            request_field_error(r, *k, "is required: send the rules of every team kind");
            continue;
        }
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s.", *k);
        if (validate_object(rules, RULE_FIELDS, COUNT_OF(RULE_FIELDS), VALIDATE_CREATE, prefix,
                            sink_to_request, r) > 0)
            continue;
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(rules, "min_members");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(rules, "max_members");
        if (cJSON_IsNumber(max) && max->valuedouble < min->valuedouble)
            request_field_error(r, arena_printf(r->arena, "%smax_members", prefix),
                                "must not be less than min_members");
    }
}

int rules_get(request *r)
{
    PGresult *res = db_query(r, SQL_GET, 0, NULL);
    if (!res)
        return API_FAILED;
    return respond_json(r, 200, db_value(res, 0), atol(db_value(res, 1)));
}

int rules_put(request *r)
{
    validate_rules(r);
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;
    PGresult *locked = db_query(r, SQL_LOCK, 0, NULL);
    if (!locked || !if_match_or_fail(r, atol(db_value(locked, 0))))
        return API_FAILED;
    char *text = cJSON_PrintUnformatted(r->body);
    const char *params[1] = {text};
    PGresult *res = db_query(r, SQL_PUT, 1, params);
    bool ok = res && audit_record(r, "update", "rules", NULL, r->claims->unit, NULL, text);
    cJSON_free(text);
    if (!ok)
        return API_FAILED;
    return rules_get(r);
}
