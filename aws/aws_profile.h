/*
 * aws_profile: one profile of the shared config files, merged.
 *
 * Names: profile from the argument, else AWS_PROFILE, else AWS_DEFAULT_PROFILE,
 * else "default"; files from the arguments, else AWS_SHARED_CREDENTIALS_FILE /
 * AWS_CONFIG_FILE, else ~/.aws/credentials and ~/.aws/config. Lookup order for a
 * key: credentials file [name], then config file [profile name] ([default] too for
 * "default"). Missing files are not errors; malformed files are (with file:line).
 *
 * Ownership: struct aws_profile is caller storage; aws_profile_clear frees it.
 * Returned values are borrowed from it. Threads: no shared state.
 */
#ifndef AWS_PROFILE_H
#define AWS_PROFILE_H

#include <stdbool.h>

#include "aws_ini.h"
#include "tpd_err.h"

struct aws_profile {
    char *name;
    char *credentials_path;
    char *config_path;
    struct aws_ini *credentials;
    struct aws_ini *config;
    const struct aws_ini_section *cred_section;
    const struct aws_ini_section *config_section;
    bool found; /* some section for this profile exists */
};

enum tpd_code aws_profile_load(
    const char *profile,
    const char *credentials_file,
    const char *config_file,
    struct aws_profile *out,
    struct tpd_err *err);
void aws_profile_clear(struct aws_profile *p);
/* Value of key (credentials file first, then config file), or NULL. */
const char *aws_profile_get(const struct aws_profile *p, const char *key);

#endif
