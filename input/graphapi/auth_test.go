package graphapi

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/m365beat/m365beat/internal/graphtest"
)

func testTokens(t *testing.T, srv *graphtest.Server, mod func(c *config)) *tokens {
	t.Helper()
	c := defaultConfig()
	o := srv.Options()
	c.TenantID, c.ClientID, c.ClientSecret = o.TenantID, o.ClientID, o.ClientSecret
	c.LoginURL, c.GraphURL = srv.LoginURL(), srv.GraphURL()
	if mod != nil {
		mod(&c)
	}
	tk, err := newTokens(&c, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestTokenCachedAndRefreshedBeforeExpiry(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	tk := testTokens(t, srv, nil)
	ctx := context.Background()
	a, err := tk.token(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tk.token(ctx, false)
	if a != b || srv.Stats().TokenRequests != 1 {
		t.Fatalf("token not cached: %d requests", srv.Stats().TokenRequests)
	}
	// 56 minutes into a 60-minute token: inside the 5-minute margin.
	start := time.Now()
	tk.now = func() time.Time { return start.Add(56 * time.Minute) }
	c, _ := tk.token(ctx, false)
	if c == b || srv.Stats().TokenRequests != 2 {
		t.Fatalf("token not renewed before expiry: %d requests", srv.Stats().TokenRequests)
	}
	tk.now = time.Now
	d, _ := tk.token(ctx, true)
	if d == c || srv.Stats().TokenRequests != 3 {
		t.Fatalf("forced renewal did not fetch: %d requests", srv.Stats().TokenRequests)
	}
}

func TestShortLivedTokenRenewedAtHalfLife(t *testing.T) {
	srv := graphtest.New(graphtest.Options{TokenLifetime: 4 * time.Second})
	defer srv.Close()
	tk := testTokens(t, srv, nil)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := tk.token(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Stats().TokenRequests; n != 1 {
		t.Fatalf("%d token requests for a 4s token used at once, want 1", n)
	}
	start := time.Now()
	tk.now = func() time.Time { return start.Add(2500 * time.Millisecond) }
	_, _ = tk.token(ctx, false)
	if n := srv.Stats().TokenRequests; n != 2 {
		t.Fatalf("%d token requests past half-life, want 2", n)
	}
}

func TestWrongSecretErrorHasNoSecret(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	const secret = "s3cr3t-value-never-logged"
	tk := testTokens(t, srv, func(c *config) { c.ClientSecret = secret })
	_, err := tk.token(context.Background(), false)
	if err == nil {
		t.Fatal("wrong secret accepted")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("error %q: want AADSTS7000215 and no secret", err)
	}
}

func TestClientAssertionClaims(t *testing.T) {
	certPath, keyPath, cert := certFiles(t)
	s, err := loadCertSigner(certPath, keyPath, "")
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://login.example/tenant/oauth2/v2.0/token"
	raw, err := s.assertion("client-1", aud)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return cert.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(aud), jwt.WithIssuer("client-1"),
		jwt.WithSubject("client-1"), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("assertion does not verify: %v", err)
	}
	if tok.Header["x5t"] == "" || tok.Header["x5t#S256"] == "" {
		t.Errorf("x5t headers missing: %v", tok.Header)
	}
	exp, _ := tok.Claims.GetExpirationTime()
	if d := time.Until(exp.Time); d <= 0 || d > 11*time.Minute {
		t.Errorf("assertion lifetime %s", d)
	}
}

func TestLoadCertSignerErrors(t *testing.T) {
	certPath, keyPath, _ := certFiles(t)
	_, otherKey, _ := certFiles(t)
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cert, key, want string }{
		{"/nonexistent/cert.pem", keyPath, "certificate:"},
		{bad, keyPath, "certificate: no PEM CERTIFICATE"},
		{certPath, "/nonexistent/key.pem", "private_key:"},
		{certPath, bad, "private_key: no PEM private key"},
		{certPath, otherKey, "private_key: does not match certificate"},
	} {
		_, err := loadCertSigner(tc.cert, tc.key, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s + %s: %v, want %q", tc.cert, tc.key, err, tc.want)
		}
	}
}
