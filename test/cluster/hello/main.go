// hello: a tiny static HTTP server, the workload the cluster self-test deploys. Built with the
// machine's Go into a FROM-scratch image, since there is no registry to pull images from.
//
//	hello            serve on :$PORT (8080): GET / answers "hello from <hostname>"
//	hello version    print a line and exit (for `kubectl exec`)
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println("hello 1.0")
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s from %s", r.Method, r.URL.Path, r.RemoteAddr)
		fmt.Fprintf(w, "hello from %s\n", host)
	})
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
