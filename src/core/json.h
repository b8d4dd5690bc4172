/* src/core/json.h: cJSON helpers and the common envelope of every result file.
 * Schema: docs/schema.md. Keys are snake_case with the unit in the name; no NaN
 * or Inf is ever written (they become null with a reason elsewhere). */
#ifndef EV_JSON_H
#define EV_JSON_H
#include <cjson/cJSON.h>
#include <stdint.h>

#include "ctx.h"

#define EV_SCHEMA "eaves.result"
#define EV_SCHEMA_VERSION 1

/* New result document: schema, tool (version, commit, compiler, flags), argv,
 * time, host, the machine (cpu, topology) and its state (sensors). */
cJSON *json_result_new(struct ev_ctx *c, const char *command);
/* Machine state: "machine_state" is read before measuring (when the command
 * first looked at the machine), "machine_state_after" when this is called
 * (json_result_new calls it; a document made before measuring calls it again
 * right before writing). */
void json_result_state_after(cJSON *doc);
/* Add a number; non-finite values become null. Returns the item. */
cJSON *json_num(cJSON *obj, const char *key, double v);
cJSON *json_str(cJSON *obj, const char *key, const char *s);
/* An array of n numbers (samples); non-finite values become null. */
cJSON *json_num_array(cJSON *obj, const char *key, const double *v, int n);
/* Write doc to path atomically (temp file + rename), or to stdout for "-". */
int json_write_file(const cJSON *doc, const char *path, struct ev_err *e);
/* Read and parse a JSON file; message names the file and parse position. */
int json_read_file(const char *path, cJSON **out, struct ev_err *e);
/* Write any text atomically (temp + rename). */
int file_write_atomic(const char *path, const char *data, size_t len, struct ev_err *e);

/* Typed getters for loaders: each fails with "<file>: <field>: <problem>". */
int json_get_num(const cJSON *o, const char *key, double *v, int required, const char *file,
		 struct ev_err *e);
/* A number within [lo, hi]: a value outside is an error naming file, field and
 * range (every number read from a file someone else wrote has a valid range). */
int json_get_range(const cJSON *o, const char *key, double *v, int required, double lo, double hi,
		   const char *file, struct ev_err *e);
int json_get_str(const cJSON *o, const char *key, const char **s, int required,
		 const char *file, struct ev_err *e);

/* The machine section alone (cpu, topology): used by info and every result. */
cJSON *json_machine(struct ev_ctx *c);

#endif
