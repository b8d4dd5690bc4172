/* src/models.c: model shape loader. Values are copied from each model's
 * published config.json; the loader checks types, ranges and consistency. */
#include "models.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "json.h"

static int get_int(const cJSON *o, const char *key, int *v, int required, const char *file,
		   struct ev_err *e)
{
	double d = -1;
	if (json_get_num(o, key, &d, required, file, e))
		return EV_ERR_USAGE;
	if (d == -1 && !required)
		return EV_OK;
	if (d < 1 || d > 1e9 || d != (double)(int)d)
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': must be a positive whole number", file,
			       key);
	*v = (int)d;
	return EV_OK;
}

static int get_bool(const cJSON *o, const char *key, int *v, const char *file, struct ev_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!it)
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': missing (true or false)", file, key);
	if (!cJSON_IsBool(it))
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': not true or false", file, key);
	*v = cJSON_IsTrue(it);
	return EV_OK;
}

int models_load_file(const char *path, struct ev_model_shape *m, struct ev_err *e)
{
	cJSON *d = NULL;
	const char *s = NULL, *why;
	int rc;
	memset(m, 0, sizeof *m);
	if ((rc = json_read_file(path, &d, e)))
		return rc;
	rc = EV_ERR_USAGE;
	if (json_get_str(d, "schema", &s, 1, path, e))
		goto out;
	if (strcmp(s, "eaves.model")) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'schema': '%s' is not 'eaves.model'", path, s);
		goto out;
	}
	if (json_get_str(d, "name", &s, 1, path, e))
		goto out;
	snprintf(m->name, sizeof m->name, "%s", s);
	s = NULL;
	json_get_str(d, "hf_id", &s, 0, path, e);
	snprintf(m->hf_id, sizeof m->hf_id, "%s", s ? s : "");
	s = NULL;
	json_get_str(d, "source", &s, 0, path, e);
	snprintf(m->source, sizeof m->source, "%s", s ? s : "user file");
	if (get_int(d, "num_hidden_layers", &m->n_layers, 1, path, e) ||
	    get_int(d, "hidden_size", &m->hidden, 1, path, e) ||
	    get_int(d, "num_attention_heads", &m->n_heads, 1, path, e) ||
	    get_int(d, "num_key_value_heads", &m->n_kv_heads, 1, path, e) ||
	    get_int(d, "intermediate_size", &m->ffn, 1, path, e) ||
	    get_int(d, "vocab_size", &m->vocab, 1, path, e) ||
	    get_int(d, "max_position_embeddings", &m->max_ctx, 1, path, e) ||
	    get_bool(d, "tie_word_embeddings", &m->tied, path, e) ||
	    get_bool(d, "attention_bias", &m->attn_bias, path, e) ||
	    json_get_num(d, "rope_theta", &m->rope_theta, 1, path, e) ||
	    json_get_num(d, "rms_norm_eps", &m->norm_eps, 1, path, e) ||
	    json_get_num(d, "published_params", &m->published_params, 0, path, e) ||
	    json_get_num(d, "published_params_precision", &m->published_precision, 0, path, e))
		goto out;
	m->head_dim = m->hidden / m->n_heads;
	if (get_int(d, "head_dim", &m->head_dim, 0, path, e))
		goto out;
	if ((why = dm_validate(m))) {
		ev_fail(e, EV_ERR_USAGE, "%s: %s", path, why);
		goto out;
	}
	rc = EV_OK;
out:
	cJSON_Delete(d);
	return rc;
}

static int cmp_params(const void *a, const void *b)
{
	struct ev_model_counts x, y;
	dm_count(a, &x);
	dm_count(b, &y);
	return (x.total > y.total) - (x.total < y.total);
}

int models_list(struct ev_model_shape *out, int max, struct ev_err *e)
{
	char dir[1024], path[1400];
	DIR *d;
	struct dirent *de;
	int n = 0, rc;
	config_path(dir, sizeof dir, "models");
	d = opendir(dir);
	if (!d)
		return ev_fail(e, EV_ERR_RUNTIME, "cannot open the model folder '%s'", dir), -1;
	while ((de = readdir(d)) && n < max) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((rc = models_load_file(path, &out[n], e))) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof *out, cmp_params);
	return n;
}

int models_load(const char *name, struct ev_model_shape *m, struct ev_err *e)
{
	struct ev_model_shape all[64];
	int n;
	if (strchr(name, '/') || strstr(name, ".json"))
		return models_load_file(name, m, e);
	n = models_list(all, 64, e);
	if (n < 0)
		return EV_ERR_RUNTIME;
	for (int i = 0; i < n; i++)
		if (!strcasecmp(all[i].name, name)) {
			*m = all[i];
			return EV_OK;
		}
	{
		char list[1024] = "";
		size_t k = 0;
		for (int i = 0; i < n && k < sizeof list - 70; i++)
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", all[i].name);
		return ev_fail(e, EV_ERR_USAGE, "--model: unknown model '%s' (known: %s; or a path to a JSON file)",
			       name, list);
	}
}
