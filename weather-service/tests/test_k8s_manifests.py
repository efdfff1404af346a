"""The Kubernetes manifests keep the contract the minikube-smoke action and Kubernetes 1.20 rely on."""
import os

import pytest

from conftest import SERVICE_DIR

yaml = pytest.importorskip("yaml")


def load(name):
    with open(os.path.join(SERVICE_DIR, "k8s", name)) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    assert len(docs) == 1
    return docs[0]


def test_deployment():
    d = load("deployment.yaml")
    assert d["apiVersion"] == "apps/v1" and d["kind"] == "Deployment"
    assert d["metadata"]["name"] == "weather-service"
    assert d["metadata"]["labels"]["app"] == "weather-service"
    spec = d["spec"]
    assert spec["replicas"] == 1
    assert spec["selector"]["matchLabels"] == {"app": "weather-service"}
    assert spec["template"]["metadata"]["labels"]["app"] == "weather-service"
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}

    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert "seccompProfile" not in pod["securityContext"]
    (c,) = pod["containers"]
    assert c["image"] == "weather-service:latest"  # the action substitutes the tag it built
    assert c["imagePullPolicy"] == "Never"
    assert c["ports"] == [{"name": "http", "containerPort": 5000, "protocol": "TCP"}]
    assert {"name": "WEATHER_PROVIDER", "value": "offline"} in c["env"]

    ready, live = c["readinessProbe"], c["livenessProbe"]
    assert ready["httpGet"]["path"] == "/readyz" and ready["httpGet"]["port"] in (5000, "http")
    assert 1 <= ready["periodSeconds"] <= 2
    assert live["httpGet"]["path"] == "/healthz" and live["httpGet"]["port"] in (5000, "http")

    for kind in ("requests", "limits"):
        assert set(c["resources"][kind]) == {"cpu", "memory"}

    sc = c["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 10001
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert "seccompProfile" not in sc

    assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
    (vol,) = [v for v in pod["volumes"] if v["name"] == "tmp"]
    assert "emptyDir" in vol


def test_service():
    s = load("service.yaml")
    assert s["apiVersion"] == "v1" and s["kind"] == "Service"
    assert s["metadata"]["name"] == "weather-service"
    assert s["spec"]["type"] == "NodePort"
    assert s["spec"]["selector"] == {"app": "weather-service"}
    (port,) = s["spec"]["ports"]
    assert port["port"] == 5000 and port["targetPort"] == 5000
    assert port["protocol"] == "TCP"  # 1.20 server-side apply fails without it


def test_dockerfile_user_matches_manifest():
    with open(os.path.join(SERVICE_DIR, "Dockerfile")) as f:
        lines = [l.strip() for l in f]
    assert "USER 10001:10001" in lines
    assert "EXPOSE 5000" in lines
    assert "ARG BASE_IMAGE=python:3.13-slim" in lines
