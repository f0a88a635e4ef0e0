// nektos/act's Actions service servers, written independently of GitHub's and of our fake, started for the
// action's tests: the cache server (cache service v1) and the artifact server (the v4 twirp API that
// @actions/artifact speaks). `act-servers DIR` prints two lines, the ACTIONS_CACHE_URL and the
// ACTIONS_RESULTS_URL (both without a trailing slash), and serves until stdin closes.
package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/nektos/act/pkg/artifactcache"
	"github.com/nektos/act/pkg/artifacts"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// osFS hands the artifact routes the real file system; they pass absolute paths under DIR.
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

func (osFS) OpenWritable(name string) (artifacts.WritableFile, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
}

func (osFS) OpenAppendable(name string) (artifacts.WritableFile, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// Two mismatches between act v0.2.89 and the current @actions/artifact, and nothing else, are bridged here;
// what act does with each request is still act's:
//   - act's v4 messages predate fields the client now sends (CreateArtifact's mimeType), and act refuses
//     unknown fields with a 500: fields act's own messages do not define are dropped;
//   - act signs blob URLs with padded base64, and the Azure blob client drops the padding when it rebuilds
//     the URL: the padding is put back.
func bridge(next http.Handler) http.Handler {
	messages := map[string]func() proto.Message{
		"CreateArtifact":       func() proto.Message { return &artifacts.CreateArtifactRequest{} },
		"FinalizeArtifact":     func() proto.Message { return &artifacts.FinalizeArtifactRequest{} },
		"ListArtifacts":        func() proto.Message { return &artifacts.ListArtifactsRequest{} },
		"GetSignedArtifactURL": func() proto.Message { return &artifacts.GetSignedArtifactURLRequest{} },
		"DeleteArtifact":       func() proto.Message { return &artifacts.DeleteArtifactRequest{} },
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(os.Stderr, "artifacts: %s %s\n", r.Method, r.URL.String())
		if newMessage, ok := messages[path.Base(r.URL.Path)]; ok && r.Method == http.MethodPost {
			body, err := io.ReadAll(r.Body)
			if err == nil {
				message := newMessage()
				if (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, message) == nil {
					if known, err := protojson.Marshal(message); err == nil {
						body = known
					}
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		if query := r.URL.Query(); query.Has("sig") && len(query.Get("sig"))%4 != 0 {
			sig := query.Get("sig")
			query.Set("sig", sig+strings.Repeat("=", 4-len(sig)%4))
			r.URL.RawQuery = query.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: act-servers DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	logger := logrus.New()
	logger.SetOutput(os.Stderr)
	cache, err := artifactcache.StartHandler(filepath.Join(dir, "cache"), "", "127.0.0.1", 0, logger)
	if err != nil {
		fail(err)
	}

	router := httprouter.New()
	artifacts.RoutesV4(router, filepath.Join(dir, "artifacts"), osFS{}, osFS{})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	go func() { _ = http.Serve(listener, bridge(router)) }()

	fmt.Println(cache.ExternalURL())
	fmt.Printf("http://%s\n", listener.Addr().String())
	// The test holds stdin open; when it ends (or dies), so do the servers.
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = listener.Close()
	_ = cache.Close()
}
