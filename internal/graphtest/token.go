package graphtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AssertionType is the client_assertion_type of certificate credentials.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": code, "error_description": desc,
		"error_codes": []int{}, "timestamp": time.Now().UTC().Format("2006-01-02 15:04:05Z"),
	})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.TokenRequests++
	f := s.takeFault("token", false)
	s.mu.Unlock()
	if f != nil {
		sleep(r, f.Delay)
		if f.Status >= 400 {
			s.count("token", f.Status)
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			tokenError(w, f.Status, "temporarily_unavailable", "AADSTS90033: injected fault.")
			return
		}
	}
	status, code, desc := s.checkToken(r)
	if status != http.StatusOK {
		s.count("token", status)
		tokenError(w, status, code, desc)
		return
	}
	s.mu.Lock()
	s.tokenSeq++
	tok := fmt.Sprintf("fake-access-token-%d-%d", s.tokenSeq, time.Now().UnixNano())
	s.tokens[tok] = time.Now().Add(s.opts.TokenLifetime)
	s.mu.Unlock()
	s.count("token", 200)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_type": "Bearer", "expires_in": int(s.opts.TokenLifetime / time.Second),
		"ext_expires_in": int(s.opts.TokenLifetime / time.Second), "access_token": tok,
	})
}

func (s *Server) checkToken(r *http.Request) (int, string, string) {
	tenant := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/oauth2/v2.0/token")
	if r.Method != http.MethodPost {
		return 405, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests."
	}
	if err := r.ParseForm(); err != nil {
		return 400, "invalid_request", "AADSTS900144: malformed request body."
	}
	if tenant != s.opts.TenantID {
		return 400, "invalid_tenant", fmt.Sprintf("AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		return 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '" + gt + "'."
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id != s.opts.ClientID {
		return 400, "unauthorized_client", fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory '%s'.", id, s.opts.TenantID)
	}
	if sc := r.PostForm.Get("scope"); sc != s.URL+"/.default" {
		return 400, "invalid_scope", fmt.Sprintf("AADSTS1002012: The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", sc)
	}
	if at := r.PostForm.Get("client_assertion_type"); at != "" {
		if at != AssertionType {
			return 400, "invalid_request", "AADSTS50027: invalid client_assertion_type."
		}
		if err := s.checkAssertion(r.PostForm.Get("client_assertion")); err != nil {
			return 401, "invalid_client", "AADSTS700027: Client assertion failed signature validation or claims check: " + err.Error()
		}
		s.mu.Lock()
		s.stats.Assertions++
		s.mu.Unlock()
		return 200, "", ""
	}
	if secret != s.opts.ClientSecret {
		return 401, "invalid_client", fmt.Sprintf("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", s.opts.ClientID)
	}
	return 200, "", ""
}

func (s *Server) checkAssertion(raw string) error {
	cert := s.opts.Certificate
	if cert == nil {
		return errors.New("no certificate registered for the application")
	}
	sum1 := sha1.Sum(cert.Raw)
	sum256 := sha256.Sum256(cert.Raw)
	tok, err := jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		x5t, _ := t.Header["x5t"].(string)
		x5t256, _ := t.Header["x5t#S256"].(string)
		if x5t != base64.RawURLEncoding.EncodeToString(sum1[:]) &&
			x5t256 != base64.RawURLEncoding.EncodeToString(sum256[:]) {
			return nil, errors.New("x5t does not match the registered certificate")
		}
		return cert.PublicKey, nil
	},
		jwt.WithValidMethods([]string{"RS256", "PS256"}),
		jwt.WithAudience(s.TokenURL()),
		jwt.WithIssuer(s.opts.ClientID),
		jwt.WithSubject(s.opts.ClientID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		return err
	}
	claims, _ := tok.Claims.(jwt.MapClaims)
	if jti, _ := claims["jti"].(string); jti == "" {
		return errors.New("jti claim missing")
	}
	exp, _ := claims.GetExpirationTime()
	if exp != nil && time.Until(exp.Time) > time.Hour {
		return errors.New("exp too far in the future")
	}
	return nil
}
