/* src/models.h: model shapes from the JSON files in configs/models/ (or a user file). */
#ifndef EV_MODELS_H
#define EV_MODELS_H
#include "decode-model.h"
#include "err.h"

/* NAME (case-insensitive, as in the file's "name" or its file stem) or a path
 * to a JSON file. Errors name the file and the field. */
int models_load(const char *name_or_path, struct ev_model_shape *m, struct ev_err *e);
int models_load_file(const char *path, struct ev_model_shape *m, struct ev_err *e);
/* All shipped models, sorted by parameter count; returns the count (<= max). */
int models_list(struct ev_model_shape *out, int max, struct ev_err *e);

#endif
