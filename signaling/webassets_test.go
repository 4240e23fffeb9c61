package signaling_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawGet asks for url with the given Accept-Encoding and reads the body as
// sent (no transparent decompression).
func rawGet(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// TestWebAppServedPrecompressed: every text file of the bundle goes out as
// the build compressed it (brotli first, then gzip), with Vary and the
// original's type; a client that accepts neither gets the file itself;
// hashed names are immutable and index.html is revalidated.
func TestWebAppServedPrecompressed(t *testing.T) {
	e := newEnv(t)
	dist := filepath.Join("web", "dist")
	var names []string
	require.NoError(t, filepath.WalkDir(dist, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".gz") && !strings.HasSuffix(p, ".br") {
			names = append(names, filepath.ToSlash(strings.TrimPrefix(p, dist+string(filepath.Separator))))
		}
		return err
	}))
	require.Contains(t, names, "index.html")
	for _, name := range names {
		plain, err := os.ReadFile(filepath.Join(dist, name))
		require.NoError(t, err)
		url := e.hs.URL + "/" + name
		if name == "index.html" {
			url = e.hs.URL + "/"
		}
		_, hasBr := os.Stat(filepath.Join(dist, name+".br"))
		_, hasGz := os.Stat(filepath.Join(dist, name+".gz"))
		require.Equal(t, hasBr == nil, hasGz == nil, "%s: both variants or none", name)
		if hasBr != nil {
			continue
		}

		resp, body := rawGet(t, url, "gzip, deflate, br, zstd")
		require.Equal(t, http.StatusOK, resp.StatusCode, name)
		require.Equal(t, "br", resp.Header.Get("Content-Encoding"), name)
		require.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"), name)
		br, err := os.ReadFile(filepath.Join(dist, name+".br"))
		require.NoError(t, err)
		require.Equal(t, br, body, name)
		require.Less(t, len(body), len(plain), name)
		typ := resp.Header.Get("Content-Type")
		require.NotContains(t, typ, "brotli")

		resp, body = rawGet(t, url, "gzip;q=1.0, br;q=0")
		require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), name)
		require.Equal(t, typ, resp.Header.Get("Content-Type"), name)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err, name)
		unzipped, err := io.ReadAll(zr)
		require.NoError(t, err, name)
		require.Equal(t, plain, unzipped, "%s: the .gz holds the file", name)

		resp, body = rawGet(t, url, "identity")
		require.Empty(t, resp.Header.Get("Content-Encoding"), name)
		require.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"), name)
		require.Equal(t, plain, body, name)

		if name == "index.html" {
			require.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
			require.Contains(t, typ, "text/html")
		} else {
			require.Equal(t, "public, max-age=31536000, immutable", resp.Header.Get("Cache-Control"), name)
		}
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self';", name)

		// The variants are not files of their own.
		resp, _ = rawGet(t, e.hs.URL+"/"+name+".gz", "")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, name)
	}
}
