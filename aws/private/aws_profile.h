/*
 * aws_profile: the shared config files, and one profile of them merged.
 *
 * Names: profile from the argument, else AWS_PROFILE, else AWS_DEFAULT_PROFILE,
 * else "default". Files: the given lists (the provider's shared_credentials_files /
 * shared_config_files; later files override earlier ones, key by key), else
 * AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/credentials and
 * ~/.aws/config. Lookup order for a key of profile P: the credentials files'
 * [P], then the config files' [profile P] ([default] too for "default"). Missing
 * files are not errors; malformed files are (with file:line).
 * Other profiles of the same files (source_profile chains) and [sso-session NAME]
 * sections are read through the same loaded files.
 *
 * Ownership: struct aws_profile is caller storage; aws_profile_clear frees it.
 * Returned values are borrowed from it. struct aws_profile_files is borrowed by
 * aws_profile_load_files (copied). Threads: no shared state.
 */
#ifndef AWS_PROFILE_H
#define AWS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_ini.h"
#include "tpd_err.h"

/* Which files to read; a count of 0 means the environment variable, else ~/.aws. */
struct aws_profile_files {
    const char *const *credentials;
    size_t credentials_count;
    const char *const *config;
    size_t config_count;
};

struct aws_profile {
    char *name;
    char *credentials_path; /* for messages: the files, ", "-separated */
    char *config_path;
    struct aws_ini **credentials; /* one per file (NULL when missing), in order */
    size_t credentials_count;
    struct aws_ini **config;
    size_t config_count;
    bool found; /* some section for this profile exists */
};

enum tpd_code aws_profile_load_files(
    const char *profile,
    const struct aws_profile_files *files,
    struct aws_profile *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* One credentials file and one config file (NULL: environment, else ~/.aws). */
enum tpd_code aws_profile_load(
    const char *profile,
    const char *credentials_file,
    const char *config_file,
    struct aws_profile *out,
    struct tpd_err *err) TPD_MUST_CHECK;
void aws_profile_clear(struct aws_profile *p);
/* Value of key in the loaded profile (credentials files first, then config), or NULL. */
const char *aws_profile_get(const struct aws_profile *p, const char *key);
/* The same for another profile of the same files. */
const char *aws_profile_get_in(const struct aws_profile *p, const char *profile, const char *key);
/* Whether the files have a section for this profile. */
bool aws_profile_exists(const struct aws_profile *p, const char *profile);
/* Value of key in the config files' [sso-session NAME] section, or NULL. */
const char *
aws_profile_sso_session_get(const struct aws_profile *p, const char *session, const char *key);
/* Whether [sso-session NAME] exists in a config file. */
bool aws_profile_sso_session_exists(const struct aws_profile *p, const char *session);

/* An owned copy of a struct aws_profile_files (for providers that read at each get). */
struct aws_profile_files_copy {
    struct aws_profile_files files;
    char **strings;
    size_t count;
};
enum tpd_code aws_profile_files_copy(
    struct aws_profile_files_copy *dst,
    const char *credentials_file,
    const char *config_file,
    const struct aws_profile_files *lists) TPD_MUST_CHECK;
void aws_profile_files_copy_clear(struct aws_profile_files_copy *c);

#endif
