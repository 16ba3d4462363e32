/*
 * api/rules.c — /api/v1/rules: the structure rules each team kind must meet, per province.
 *
 * Each province has its own rules (sql/migrations/015_scope_edges.sql): GET answers those of the
 * caller's province (the defaults until it sets its own), PUT (province accounts) replaces its
 * own province's rules for every kind at once, honouring If-Match against the document's version,
 * and leaves every other province's as they were.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"
#include "resources_gen.h"

/* $1, $2 the caller -> (document, version) of its province's rules. */
static const char SQL_GET[] =
    "SELECT d::text, d->>'version' FROM rules_doc(actor_province($1, $2::uuid)) d";

/*
 * $1 the province. Locks its rows and the defaults (which every province without rules of its
 * own follows), so that PUTs wait for each other; the version is read in a statement after it,
 * whose snapshot sees what the PUT it waited for committed.
 */
static const char SQL_LOCK[] = "SELECT 1 FROM structure_rules WHERE province_code IN ($1, '') FOR UPDATE";
static const char SQL_VERSION[] = "SELECT max(version) FROM rules_of($1)";

/* $1 the rules document, $2 the province: its rows for every kind, one version past the current. */
static const char SQL_PUT[] =
    "INSERT INTO structure_rules AS s (province_code, team_kind, min_members, max_members,"
    "                                  leader_required, deputy_required, min_it_skilled,"
    "                                  required_affiliations, version, updated_at)"
    " SELECT $2, e.key, x.min_members, x.max_members, x.leader_required, x.deputy_required,"
    "        x.min_it_skilled, x.required_affiliations, v.version + 1, now()"
    "   FROM jsonb_each($1::jsonb) e,"
    "        jsonb_to_record(e.value) AS x(min_members int, max_members int, leader_required boolean,"
    "                                      deputy_required boolean, min_it_skilled int,"
    "                                      required_affiliations text[]),"
    "        (SELECT max(version) AS version FROM rules_of($2)) v"
    " ON CONFLICT (province_code, team_kind) DO UPDATE SET"
    "       min_members = EXCLUDED.min_members, max_members = EXCLUDED.max_members,"
    "       leader_required = EXCLUDED.leader_required, deputy_required = EXCLUDED.deputy_required,"
    "       min_it_skilled = EXCLUDED.min_it_skilled, required_affiliations = EXCLUDED.required_affiliations,"
    "       version = EXCLUDED.version, updated_at = now()";

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
    const char *params[2];
    actor_params(r, params);
    PGresult *res = db_query(r, SQL_GET, 2, params);
    if (!res)
        return API_FAILED;
    return respond_json(r, 200, db_value(res, 0), atol(db_value(res, 1)));
}

int rules_put(request *r)
{
    if (r->claims->role == ROLE_NATIONAL)
        return request_fail(r, PROBLEM_FORBIDDEN, "Each province sets its own structure rules");
    validate_rules(r);
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;
    const char *province = r->claims->unit; /* a province account's unit is its province */
    PGresult *current = db_query(r, SQL_LOCK, 1, &province) ? db_query(r, SQL_VERSION, 1, &province) : NULL;
    if (!current || !if_match_or_fail(r, atol(db_value(current, 0))))
        return API_FAILED;
    char *text = cJSON_PrintUnformatted(r->body);
    const char *params[2] = {text, province};
    PGresult *res = db_query(r, SQL_PUT, 2, params);
    bool ok = res && audit_record(r, "update", "rules", NULL, r->claims->unit, NULL, text);
    cJSON_free(text);
    if (!ok)
        return API_FAILED;
    return rules_get(r);
}
