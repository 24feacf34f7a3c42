package graphapi

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// explainToken turns a token failure into an error that says what to fix.
func explainToken(err error, c config) error {
	if err == nil {
		return nil
	}
	var te *tokenError
	if !errors.As(err, &te) {
		return err
	}
	d := te.desc
	switch {
	case strings.Contains(d, "AADSTS90002") || strings.Contains(d, "AADSTS900023"):
		return fmt.Errorf("tenant_id %q is not known to %s: check tenant_id, and cloud/login_url if the tenant is in a government cloud (%w)", c.TenantID, loginOf(c), err)
	case strings.Contains(d, "AADSTS700016"):
		return fmt.Errorf("client_id %q is not registered in tenant %s: check client_id and tenant_id (%w)", c.ClientID, c.TenantID, err)
	case strings.Contains(d, "AADSTS7000215") || strings.Contains(d, "AADSTS7000222"):
		return fmt.Errorf("client_secret is wrong or expired: use the secret's Value (not its ID) from Certificates & secrets (%w)", err)
	case strings.Contains(d, "AADSTS700027") || strings.Contains(d, "AADSTS700024"):
		return fmt.Errorf("the certificate credential was rejected: upload certificate to the app registration and check the clock (%w)", err)
	case strings.Contains(d, "AADSTS500011") || strings.Contains(d, "AADSTS1002012") || strings.Contains(d, "AADSTS70011"):
		return fmt.Errorf("the scope %s/.default is not valid for this tenant: check cloud and graph_url (%w)", graphOf(c), err)
	case te.status == 0:
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return fmt.Errorf("cannot resolve %s: check login_url/cloud, DNS and proxy_url (%w)", dns.Name, err)
		}
		return fmt.Errorf("cannot reach %s: check network access, proxy_url and ssl settings (%w)", loginOf(c), err)
	}
	return err
}

// explainGraph turns a Graph failure of a stream check into an error that
// says what to fix.
func explainGraph(err error, s streamConfig, c config) error {
	if err == nil {
		return nil
	}
	var se *statusError
	if errors.As(err, &se) {
		switch se.status {
		case 403:
			return fmt.Errorf("missing application permission %s: add it under API permissions (Microsoft Graph, Application) and grant admin consent (%w)", permission(s.Resource), err)
		case 401:
			return fmt.Errorf("Graph rejected the token: graph_url %s may not match the tenant's cloud (cloud: %s) (%w)", graphOf(c), c.Cloud, err)
		case 404:
			return fmt.Errorf("endpoint not found: check graph_url %s (%w)", graphOf(c), err)
		}
		return err
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("cannot resolve %s: check graph_url/cloud, DNS and proxy_url (%w)", dns.Name, err)
	}
	return fmt.Errorf("cannot reach %s: check network access, proxy_url and ssl settings (%w)", graphOf(c), err)
}

func loginOf(c config) string { l, _ := c.endpoints(); return l }
func graphOf(c config) string { _, g := c.endpoints(); return g }
