"""Deploying `infra/site.yaml` with CloudFormation, for `invoke deploy-infra`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["StackError", "deploy_stack", "repository_variables", "stack_parameters"]

log = logging.getLogger(__name__)


class StackError(Exception):
    """The stack did not reach a good state; the message says which and why."""


def stack_parameters(
    repository: str,
    branch: str = "main",
    table: str = "dctech-events",
    oidc_provider_arn: str = "",
    domain: str = "",
    certificate_arn: str = "",
) -> list[dict[str, str]]:
    """CloudFormation parameters; an existing OIDC provider ARN means none is created."""
    if repository.count("/") != 1:
        raise ValueError(f"--repo: expected owner/name, got {repository!r}")
    if bool(domain) != bool(certificate_arn):
        raise ValueError("--domain and --certificate-arn go together (the certificate must be in us-east-1)")
    values = {
        "GitHubRepository": repository,
        "GitHubBranch": branch,
        "TableName": table,
        "CreateGitHubOidcProvider": "false" if oidc_provider_arn else "true",
        "ExistingGitHubOidcProviderArn": oidc_provider_arn,
        "DomainName": domain,
        "CertificateArn": certificate_arn,
    }
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def repository_variables(outputs: Mapping[str, str], region: str) -> dict[str, str]:
    """The GitHub repository variables the deploy workflow reads, from the stack's outputs."""
    return {
        "AWS_ROLE_ARN": outputs["DeployRoleArn"],
        "AWS_REGION": region,
        "EVENTS_DYNAMODB_TABLE": outputs["TableName"],
        "EVENTS_PUBLISH_BUCKET": outputs["BucketName"],
        "EVENTS_PUBLISH_DISTRIBUTION": outputs["DistributionId"],
    }


def deploy_stack(client: Any, name: str, template_body: str, parameters: list[dict[str, str]]) -> dict[str, str]:
    """Create the stack, or update it when it exists; wait; return its outputs."""
    arguments = {
        "StackName": name,
        "TemplateBody": template_body,
        "Parameters": parameters,
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    }
    try:
        client.describe_stacks(StackName=name)
        exists = True
    except client.exceptions.ClientError as error:
        if "does not exist" not in str(error):
            raise
        exists = False
    try:
        if exists:
            log.info("updating stack %s", name)
            client.update_stack(**arguments)
            client.get_waiter("stack_update_complete").wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
        else:
            log.info("creating stack %s (CloudFront takes several minutes)", name)
            client.create_stack(**arguments, OnFailure="ROLLBACK", EnableTerminationProtection=True)
            client.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
    except client.exceptions.ClientError as error:
        if "No updates are to be performed" not in str(error):
            raise StackError(f"stack {name}: {error}") from error
        log.info("stack %s is already up to date", name)
    except Exception as error:  # a waiter failure: show the stack's own reason
        raise StackError(f"stack {name} failed: {error}; see its events in the CloudFormation console") from error
    stack = client.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", ())}
