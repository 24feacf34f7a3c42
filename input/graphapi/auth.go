package graphapi

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/elastic/pkcs8"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// refreshEarly is how long before expiry a token is renewed.
const refreshEarly = 5 * time.Minute

// tokens hands out bearer tokens from the client-credentials flow, renewed
// before expiry, and can be told a token was rejected (401).
type tokens struct {
	tokenURL string
	clientID string
	scope    string
	secret   string      // client secret, or
	cert     *certSigner // certificate credentials
	client   *http.Client

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshAt time.Time
	now       func() time.Time
}

// certSigner makes client-assertion JWTs (RFC 7523) for certificate
// credentials.
type certSigner struct {
	key     crypto.Signer
	x5t     string // base64url SHA-1 thumbprint of the certificate
	x5t256  string
	expires time.Time
}

func newTokens(c *config, client *http.Client) (*tokens, error) {
	login, graph := c.endpoints()
	t := &tokens{
		tokenURL: login + "/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token",
		clientID: c.ClientID,
		scope:    graph + "/.default",
		secret:   c.ClientSecret,
		client:   client,
		now:      time.Now,
	}
	if c.Certificate != "" {
		s, err := loadCertSigner(c.Certificate, c.PrivateKey, c.PrivateKeyPassphrase)
		if err != nil {
			return nil, err
		}
		t.cert = s
	}
	return t, nil
}

// token returns a valid access token, fetching one when none is cached, the
// cached one is near expiry (refreshEarly before it, or half its lifetime
// for short-lived tokens), or force is set.
func (t *tokens) token(ctx context.Context, force bool) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !force && t.tok != nil && t.tok.AccessToken != "" &&
		(t.refreshAt.IsZero() || t.now().Before(t.refreshAt)) {
		return t.tok.AccessToken, nil
	}
	cc := clientcredentials.Config{
		ClientID:     t.clientID,
		ClientSecret: t.secret,
		TokenURL:     t.tokenURL,
		Scopes:       []string{t.scope},
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	if t.cert != nil {
		a, err := t.cert.assertion(t.clientID, t.tokenURL)
		if err != nil {
			return "", err
		}
		cc.EndpointParams = url.Values{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {a},
		}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, t.client)
	tok, err := cc.Token(ctx)
	if err != nil {
		return "", tokenErr(err)
	}
	t.tok = tok
	t.refreshAt = time.Time{}
	if !tok.Expiry.IsZero() {
		life := tok.Expiry.Sub(t.now())
		t.refreshAt = tok.Expiry.Add(-min(refreshEarly, life/2))
	}
	return tok.AccessToken, nil
}

// tokenError is a failed token request, carrying the identity platform's
// error code and AADSTS description (which never contain the secret).
type tokenError struct {
	status int
	code   string
	desc   string
	err    error
}

func (e *tokenError) Error() string {
	if e.code != "" {
		return fmt.Sprintf("token request failed: HTTP %d %s: %s", e.status, e.code, e.desc)
	}
	return "token request failed: " + e.err.Error()
}

func (e *tokenError) Unwrap() error { return e.err }

func tokenErr(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &tokenError{status: status, code: re.ErrorCode, desc: re.ErrorDescription, err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL error repeats the token URL, never the form body.
		return &tokenError{err: ue}
	}
	return &tokenError{err: err}
}

// assertion returns a signed client-assertion JWT valid for 10 minutes.
func (s *certSigner) assertion(clientID, audience string) (string, error) {
	now := time.Now()
	if !s.expires.IsZero() && now.After(s.expires) {
		return "", fmt.Errorf("certificate: expired on %s", s.expires.UTC().Format(time.RFC3339))
	}
	var jti [16]byte
	if _, err := randRead(jti[:]); err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		"aud": audience,
		"iss": clientID,
		"sub": clientID,
		"jti": hex.EncodeToString(jti[:]),
		"nbf": now.Add(-time.Minute).Unix(),
		"iat": now.Unix(),
		"exp": now.Add(10 * time.Minute).Unix(),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["x5t"] = s.x5t
	tok.Header["x5t#S256"] = s.x5t256
	return tok.SignedString(s.key)
}

func loadCertSigner(certFile, keyFile, passphrase string) (*certSigner, error) {
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	var cert *x509.Certificate
	for rest := cb; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			cert, err = x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate: %w", err)
			}
			break
		}
	}
	if cert == nil {
		return nil, fmt.Errorf("certificate: no PEM CERTIFICATE block in %s", certFile)
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	key, err := parseKey(kb, passphrase)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private_key: must be an RSA key (Entra ID certificate credentials use RS256)")
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&rk.PublicKey) {
		return nil, errors.New("private_key: does not match certificate")
	}
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	return &certSigner{
		key:     rk,
		x5t:     base64.RawURLEncoding.EncodeToString(s1[:]),
		x5t256:  base64.RawURLEncoding.EncodeToString(s256[:]),
		expires: cert.NotAfter,
	}, nil
}

func parseKey(pemBytes []byte, passphrase string) (crypto.PrivateKey, error) {
	for rest := pemBytes; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("no PEM private key block found")
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			if passphrase == "" {
				return nil, errors.New("encrypted key needs private_key_passphrase")
			}
			return parsePKCS8Encrypted(blk.Bytes, passphrase)
		}
	}
}

func parsePKCS8Encrypted(der []byte, passphrase string) (crypto.PrivateKey, error) {
	k, err := pkcs8.ParsePKCS8PrivateKey(der, []byte(passphrase))
	if err != nil {
		return nil, errors.New("cannot decrypt private key (wrong private_key_passphrase?)")
	}
	return k, nil
}

var randRead = rand.Read
