/*
 * api/rehome.c — POST /api/v1/rehome: moving what closed units hold to the units that took their
 * place, after a reorganisation such as the 2025 reform (docs/reform.md).
 *
 * ?dry_run=true lists every change and moves nothing; without it the same list is carried out in
 * the request's one transaction, with an audit row per record and the change feed's entries
 * (the moved teams, enterprises and targets to their old scope and their new). A split unit's
 * records need a choice each (`choices`: {"<id>": "<successor code>"}) or a rule (`split_rule`:
 * "first"); while any is undecided the apply answers 422 listing them, and writes nothing. What
 * moves and where is SQL's (rehome_plan, rehome_apply: sql/functions/80_rehome.sql); the caller's
 * scope (province, or national) decides which old units it may empty: those it can see, which for
 * a province includes the units its own came from.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

/* The plan's rows and, for the apply, the rows acted on: the same columns. */
#define REHOME_COLUMNS                                                                             \
    "json_build_object('resource', p.resource, 'id', p.id, 'name', p.name, 'from_unit', p.from_unit,"  \
    " 'to_unit', p.to_unit, 'status', p.status, 'options', to_json(p.options), 'members', p.members,"  \
    " 'activities', p.activities)"

/* $1, $2 actor, $3 units (text[] or NULL), $4 choices (jsonb or NULL), $5 rule -> one JSON array. */
static const char SQL_PLAN[] =
    "SELECT coalesce(json_agg(" REHOME_COLUMNS "), '[]')::text"
    "  FROM rehome_plan($1, $2::uuid, $3::text[], $4::jsonb, $5) p";

/* As SQL_PLAN, then $6 actor's name and $7 its id for the audit rows: moves. */
static const char SQL_APPLY[] =
    "SELECT coalesce(json_agg(" REHOME_COLUMNS "), '[]')::text"
    "  FROM rehome_apply($1, $2::uuid, $3::text[], $4::jsonb, $5, $6, $7::uuid) p";

static const char *const RULES[] = {"none", "first", NULL};

static const struct field FIELDS[] = {
    {"units", FIELD_TEXT_LIST, 0, 0, 20000, NULL, check_unit_code},
    {"choices", FIELD_UUID_MAP, 0, 0, 20000, NULL, check_unit_code},
    {"split_rule", FIELD_ENUM, 0, 0, 0, RULES, NULL},
};

/* A JSON array of strings as a PostgreSQL text[] literal; NULL when absent. */
static const char *text_array(request *r, const cJSON *list)
{
    if (!cJSON_IsArray(list))
        return NULL;
    buf out = {0};
    buf_puts(&out, "{");
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
        buf_printf(&out, "%s\"%s\"", out.len > 1 ? "," : "", item->valuestring); /* unit codes: digits, '@', '-' */
    buf_puts(&out, "}");
    const char *text = arena_strdup(r->arena, out.data);
    buf_free(&out);
    return text;
}

/* Counts per resource and status, beside the rows. */
static cJSON *summary(const cJSON *rows)
{
    cJSON *counts = cJSON_CreateObject();
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const char *resource = cJSON_GetObjectItemCaseSensitive(row, "resource")->valuestring;
        const char *status = cJSON_GetObjectItemCaseSensitive(row, "status")->valuestring;
        cJSON *of = cJSON_GetObjectItemCaseSensitive(counts, resource);
        if (!of)
            of = cJSON_AddObjectToObject(counts, resource);
        cJSON *n = cJSON_GetObjectItemCaseSensitive(of, status);
        if (n)
            cJSON_SetNumberValue(n, n->valuedouble + 1);
        else
            cJSON_AddNumberToObject(of, status, 1);
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(row, "members");
        const cJSON *activities = cJSON_GetObjectItemCaseSensitive(row, "activities");
        if (cJSON_IsNumber(members) && strcmp(status, "move") == 0) {
            for (int k = 0; k < 2; k++) {
                const char *name = k ? "activities" : "members";
                double add = k ? activities->valuedouble : members->valuedouble;
                cJSON *total = cJSON_GetObjectItemCaseSensitive(counts, name);
                if (total)
                    cJSON_SetNumberValue(total, total->valuedouble + add);
                else
                    cJSON_AddNumberToObject(counts, name, add);
            }
        }
    }
    return counts;
}

/* 422 naming each record still to choose for (or chosen wrongly), with its options. */
static int undecided_or_ok(request *r, const cJSON *rows)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const char *status = cJSON_GetObjectItemCaseSensitive(row, "status")->valuestring;
        if (strcmp(status, "choose") != 0 && strcmp(status, "invalid") != 0)
            continue;
        char *options = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(row, "options"));
        request_field_error(r,
                            arena_printf(r->arena, "choices.%s", cJSON_GetObjectItemCaseSensitive(row, "id")->valuestring),
                            arena_printf(r->arena, "%s of %s, split: choose one of %s",
                                         cJSON_GetObjectItemCaseSensitive(row, "resource")->valuestring,
                                         cJSON_GetObjectItemCaseSensitive(row, "from_unit")->valuestring, options));
        cJSON_free(options);
    }
    return request_fields_ok_or_fail(r) ? 0 : API_FAILED;
}

static void delete_json(void *p)
{
    cJSON_Delete(p);
}

int rehome_post(request *r)
{
    if (!body_valid_or_fail(r, r->body, FIELDS, COUNT_OF(FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    const char *dry = query_get(r, "dry_run");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
        request_field_error(r, "dry_run", "must be true or false");
        request_fields_ok_or_fail(r);
        return API_FAILED;
    }
    bool dry_run = dry && strcmp(dry, "true") == 0;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(r->body, "choices");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(r->body, "split_rule");
    char *choices_text = cJSON_IsObject(choices) ? cJSON_PrintUnformatted(choices) : NULL;
    const char *params[7];
    actor_params(r, params);
    params[2] = text_array(r, cJSON_GetObjectItemCaseSensitive(r->body, "units"));
    params[3] = choices_text ? arena_strdup(r->arena, choices_text) : NULL;
    params[4] = cJSON_IsString(rule) ? rule->valuestring : "none";
    params[5] = r->claims->name;
    params[6] = r->claims->kind == PRINCIPAL_USER ? r->claims->sub : NULL;
    cJSON_free(choices_text);

    /* The plan first: an apply with anything undecided is refused before it writes. */
    PGresult *plan = db_query(r, SQL_PLAN, 5, params);
    if (!plan)
        return API_FAILED;
    cJSON *rows = cJSON_Parse(db_value(plan, 0));
    arena_defer(r->arena, delete_json, rows);
    if (!dry_run) {
        if (undecided_or_ok(r, rows) == API_FAILED)
            return API_FAILED;
        PGresult *done = db_query(r, SQL_APPLY, 7, params);
        if (!done)
            return API_FAILED;
        rows = cJSON_Parse(db_value(done, 0));
        arena_defer(r->arena, delete_json, rows);
    }

    cJSON *out = cJSON_CreateObject();
    arena_defer(r->arena, delete_json, out);
    cJSON_AddBoolToObject(out, "dry_run", dry_run);
    cJSON_AddItemToObject(out, "counts", summary(rows));
    cJSON_AddItemReferenceToObject(out, "changes", rows);
    char *text = cJSON_PrintUnformatted(out);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    return respond_json(r, 200, body, 0);
}

/*
 * cdt-server --rehome [--apply] [--rule first] [--units CODE,CODE] [--choices FILE]: the same plan
 * and apply from the command line, as a national operator (every unit in scope), for the one who
 * runs the reform on the server. Prints one line per record (status, resource, id, name, from,
 * to, options) and a summary; --apply with anything left to choose prints it, writes nothing and
 * exits 1. Audit rows name the actor "cdt-server --rehome".
 */
int rehome_command(const char *conninfo, int argc, char **argv)
{
    bool apply = false, refused = false;
    const char *rule = "none", *units = NULL, *choices_file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--apply") == 0)
            apply = true;
        else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
            rule = argv[++i];
        else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc)
            units = argv[++i];
        else if (strcmp(argv[i], "--choices") == 0 && i + 1 < argc)
            choices_file = argv[++i];
        else {
            fprintf(stderr, "usage: cdt-server --rehome [--apply] [--rule none|first] [--units CODE,CODE] "
                            "[--choices FILE.json]\n");
            return 2;
        }
    }
    buf choices = {0}, unit_list = {0};
    if (choices_file) {
        FILE *f = fopen(choices_file, "rb");
        char chunk[4096];
        size_t n;
        while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(&choices, chunk, n);
        if (f)
            fclose(f);
        cJSON *parsed = choices.data ? cJSON_Parse(choices.data) : NULL;
        bool ok = cJSON_IsObject(parsed);
        cJSON_Delete(parsed);
        if (!ok) {
            fprintf(stderr, "--choices %s: not a JSON object {\"<id>\": \"<successor code>\"}\n", choices_file);
            buf_free(&choices);
            return 2;
        }
    }
    if (units)
        buf_printf(&unit_list, "{%s}", units);
    const char *params[7] = {"*", NULL, unit_list.data, choices.data, rule, "cdt-server --rehome", NULL};
    int rc = 1;
    PGconn *c = PQconnectdb(conninfo);
    PGresult *res = NULL;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the database: %s", PQerrorMessage(c));
        goto out;
    }
    PQclear(PQexec(c, "SET TIME ZONE 'Asia/Ho_Chi_Minh'"));
    PQclear(PQexec(c, "BEGIN"));
    res = PQexecParams(c, SQL_PLAN, 5, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && apply) {
        cJSON *rows = cJSON_Parse(PQgetvalue(res, 0, 0));
        bool undecided = false;
        const cJSON *row;
        cJSON_ArrayForEach(row, rows)
        {
            const char *st = cJSON_GetObjectItemCaseSensitive(row, "status")->valuestring;
            undecided |= strcmp(st, "choose") == 0 || strcmp(st, "invalid") == 0;
        }
        cJSON_Delete(rows);
        if (!undecided) {
            PQclear(res);
            res = PQexecParams(c, SQL_APPLY, 7, NULL, params, NULL, NULL, 0);
        } else {
            apply = false;
            refused = true;
            fprintf(stderr, "some records of split units need a choice (--choices or --rule first): nothing written\n");
        }
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "rehome failed: %s", PQresultErrorMessage(res));
        goto out;
    }
    cJSON *rows = cJSON_Parse(PQgetvalue(res, 0, 0));
    long counts[5] = {0};
    static const char *const statuses[] = {"move", "merge", "stays", "choose", "invalid"};
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const char *st = cJSON_GetObjectItemCaseSensitive(row, "status")->valuestring;
        for (int k = 0; k < 5; k++)
            counts[k] += strcmp(st, statuses[k]) == 0;
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(row, "to_unit");
        char *options = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(row, "options"));
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st, cJSON_GetObjectItemCaseSensitive(row, "resource")->valuestring,
               cJSON_GetObjectItemCaseSensitive(row, "id")->valuestring,
               cJSON_GetObjectItemCaseSensitive(row, "name")->valuestring,
               cJSON_GetObjectItemCaseSensitive(row, "from_unit")->valuestring,
               cJSON_IsString(to) ? to->valuestring : "-", options);
        cJSON_free(options);
    }
    cJSON_Delete(rows);
    PQclear(PQexec(c, apply ? "COMMIT" : "ROLLBACK"));
    printf("rehome %s: %ld to move, %ld to merge, %ld stay (no successor), %ld to choose, %ld wrongly chosen\n",
           apply ? "applied" : "dry run (nothing written)", counts[0], counts[1], counts[2], counts[3], counts[4]);
    rc = refused ? 1 : 0;
out:
    PQclear(res);
    PQfinish(c);
    buf_free(&choices);
    buf_free(&unit_list);
    return rc;
}
