// The SEPPs' test PKI (N32 TLS, TS 33.501 13.1, TS 29.573 5.2): a CA and one certificate per SEPP
// whose subjectAltName is the SEPP's FQDN (TS 23.003 28.3.2.3), made once with OpenSSL 3 for the
// default PLMNs 001/01 (vSEPP) and 208/93 (hSEPP), EC P-256, valid until 2126:
//
//   openssl ecparam -name prime256v1 -genkey -noout -out ca.key
//   openssl req -x509 -new -key ca.key -sha256 -days 36500 -subj "/O=wire5g test PKI (not for production)/CN=wire5g test roaming CA" -out ca.pem
//   per SEPP: a P-256 key (PKCS#8), a CSR with CN = its FQDN, signed by the CA with
//   subjectAltName=DNS:<fqdn>, extendedKeyUsage=serverAuth,clientAuth
//
// These keys are published in the repository: they protect nothing and exist so that the capture's
// N32 traffic is real TLS that Wireshark decrypts with the key log written beside it. Other PLMNs
// than the defaults still work (the SEPPs check the peer's chain against this CA, not its name).

export const TEST_CA_PEM = `
-----BEGIN CERTIFICATE-----
MIIB+DCCAZ2gAwIBAgIUSTDKJ0M3cuH9vfbY5ihnYnAOmyAwCgYIKoZIzj0EAwIw
UDEtMCsGA1UECgwkd2lyZTVnIHRlc3QgUEtJIChub3QgZm9yIHByb2R1Y3Rpb24p
MR8wHQYDVQQDDBZ3aXJlNWcgdGVzdCByb2FtaW5nIENBMCAXDTI2MTIwNTEyMDE0
MVoYDzIxMjYxMTExMTIwMTQxWjBQMS0wKwYDVQQKDCR3aXJlNWcgdGVzdCBQS0kg
KG5vdCBmb3IgcHJvZHVjdGlvbikxHzAdBgNVBAMMFndpcmU1ZyB0ZXN0IHJvYW1p
bmcgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATalMSfScta75+kiihRmS7w
M+H/t/YlR9/WB9IShw1YpwIfIvurH4lk4E7mA4WIib7d7tKtFeS/lZdDtPz9cZdS
o1MwUTAdBgNVHQ4EFgQUa+JcX/klkeQA456VKxtHdePs2IAwHwYDVR0jBBgwFoAU
a+JcX/klkeQA456VKxtHdePs2IAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNJADBGAiEA5ZPb1ZmCqi3BLPrCUuTHXCo7+bI+QM1pQsfGebZo9fcCIQCc7nSZ
JX+9FlnyZtSdZ97hhOUQZQ6GC6gs3cVq4j//KQ==
-----END CERTIFICATE-----
`;

/** The vSEPP of 001/01: certificate and private key. */
export const VSEPP_CERT_PEM = `
-----BEGIN CERTIFICATE-----
MIICYTCCAgigAwIBAgIUX0SvumS/Ff9YIbzk/cw6gajEqxgwCgYIKoZIzj0EAwIw
UDEtMCsGA1UECgwkd2lyZTVnIHRlc3QgUEtJIChub3QgZm9yIHByb2R1Y3Rpb24p
MR8wHQYDVQQDDBZ3aXJlNWcgdGVzdCByb2FtaW5nIENBMCAXDTI2MTIwNTEyMDE0
MVoYDzIxMjYxMTExMTIwMTQxWjBgMS0wKwYDVQQKDCR3aXJlNWcgdGVzdCBQS0kg
KG5vdCBmb3IgcHJvZHVjdGlvbikxLzAtBgNVBAMMJnNlcHAuNWdjLm1uYzAwMS5t
Y2MwMDEuM2dwcG5ldHdvcmsub3JnMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
uccdokDaITC98xtzBrTpDolVtyzhspE9XPYlaTUBfOtiYv/oIWEsR6GUXzivpi9X
UVAyjCIewpoV4w2CstHCfKOBrTCBqjAxBgNVHREEKjAogiZzZXBwLjVnYy5tbmMw
MDEubWNjMDAxLjNncHBuZXR3b3JrLm9yZzAJBgNVHRMEAjAAMAsGA1UdDwQEAwIH
gDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwHQYDVR0OBBYEFJiAA3NK
84Iv2tvqIUWyyNDxDO1tMB8GA1UdIwQYMBaAFGviXF/5JZHkAOOelSsbR3Xj7NiA
MAoGCCqGSM49BAMCA0cAMEQCIH5DHXgzjLwT+LhtHc0Q1Ch7Cxq54Ig2bh32cjp8
5PKHAiBzOoNyUPCURanA6uMb2EVJ9k3zmsAOcLhAbRBjLlDRSA==
-----END CERTIFICATE-----
`;
export const VSEPP_KEY_PEM = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg843Ujmvpi4JwgSWA
TXcOwzIlXE+tAGaoRTKpG0hjZr+hRANCAAS5xx2iQNohML3zG3MGtOkOiVW3LOGy
kT1c9iVpNQF862Ji/+ghYSxHoZRfOK+mL1dRUDKMIh7CmhXjDYKy0cJ8
-----END PRIVATE KEY-----
`;

/** The hSEPP of 208/93: certificate and private key. */
export const HSEPP_CERT_PEM = `
-----BEGIN CERTIFICATE-----
MIICYTCCAgigAwIBAgIUX0SvumS/Ff9YIbzk/cw6gajEqxkwCgYIKoZIzj0EAwIw
UDEtMCsGA1UECgwkd2lyZTVnIHRlc3QgUEtJIChub3QgZm9yIHByb2R1Y3Rpb24p
MR8wHQYDVQQDDBZ3aXJlNWcgdGVzdCByb2FtaW5nIENBMCAXDTI2MTIwNTEyMDE0
MVoYDzIxMjYxMTExMTIwMTQxWjBgMS0wKwYDVQQKDCR3aXJlNWcgdGVzdCBQS0kg
KG5vdCBmb3IgcHJvZHVjdGlvbikxLzAtBgNVBAMMJnNlcHAuNWdjLm1uYzA5My5t
Y2MyMDguM2dwcG5ldHdvcmsub3JnMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
xuK+LsdhO3lXf4VbuI+U+9CasZbL8PVLU2VGZOVlubV/Vb+au0lVqkn21GPaUl0Q
ATYINVNHK8X0Ks2rJ+l0x6OBrTCBqjAxBgNVHREEKjAogiZzZXBwLjVnYy5tbmMw
OTMubWNjMjA4LjNncHBuZXR3b3JrLm9yZzAJBgNVHRMEAjAAMAsGA1UdDwQEAwIH
gDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwHQYDVR0OBBYEFNl1gBny
ZWiwS4CnLoagHkPma7gyMB8GA1UdIwQYMBaAFGviXF/5JZHkAOOelSsbR3Xj7NiA
MAoGCCqGSM49BAMCA0cAMEQCIHMGtpdtQDlzSG9yQr3+qGUfHUBLGWrvRSfwzSyx
7UiGAiBqdSWSfKfx/SpTzsefAHUZ2mi7GyY1o+LhpY/89A+skw==
-----END CERTIFICATE-----
`;
export const HSEPP_KEY_PEM = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKRTagh1yaPtweAHP
t91XATPkZrUwuG60Y7byweuja3ChRANCAATG4r4ux2E7eVd/hVu4j5T70Jqxlsvw
9UtTZUZk5WW5tX9Vv5q7SVWqSfbUY9pSXRABNgg1U0crxfQqzasn6XTH
-----END PRIVATE KEY-----
`;
