/* Keeps the support library non-empty when no helper sources exist yet. */
typedef int tpd_test_support_empty;
