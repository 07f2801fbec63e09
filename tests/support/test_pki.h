/*
 * test_pki: a throw-away certificate authority for TLS tests on loopback: a CA
 * (ECDSA P-256, CA:TRUE) and a server certificate it signs for IP 127.0.0.1 and DNS
 * localhost, valid for a day. Made with OpenSSL in the test; nothing is read from the
 * system.
 * Ownership: tt_pki_make fills heap PEM strings freed by tt_pki_clear.
 * Threads: no shared state.
 */
#ifndef TPD_TEST_PKI_H
#define TPD_TEST_PKI_H

struct tt_pki {
    char *ca_pem;   /* the CA certificate: what a client must trust */
    char *cert_pem; /* the server certificate, signed by the CA */
    char *key_pem;  /* the server's private key */
};

/* Returns 0 on success. */
int tt_pki_make(struct tt_pki *p);
void tt_pki_clear(struct tt_pki *p);

#endif
