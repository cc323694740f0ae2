"""`invoke deploy-infra` and `invoke create-table`: the AWS resources the site runs on."""

from __future__ import annotations

from pathlib import Path

from events.run.outcome import Outcome

__all__ = ["aws_setup_problem", "create_table_command", "deploy_infra_command"]


def deploy_infra_command(
    template: Path, repo: str, stack: str, branch: str, table: str, oidc_provider_arn: str, domain: str, certificate_arn: str
) -> Outcome:
    """Create or update the CloudFormation stack; the lines name the repository variables to set."""
    import boto3
    from botocore.exceptions import BotoCoreError

    from events.publish.cloudformation import StackError, deploy_stack, repository_variables, stack_parameters

    try:
        parameters = stack_parameters(repo, branch, table, oidc_provider_arn, domain, certificate_arn)
    except ValueError as error:
        return Outcome((), str(error))
    try:
        client = boto3.client("cloudformation")
        outputs = deploy_stack(client, stack, template.read_text(encoding="utf-8"), parameters)
    except StackError as error:
        return Outcome((), str(error))
    except BotoCoreError as error:
        return Outcome((), aws_setup_problem(error))
    lines = [
        f"Stack {stack} is ready; the site is served at https://{outputs.get('DistributionDomainName', '?')}/",
        "Set these GitHub repository variables (Settings > Secrets and variables > Actions > Variables):",
    ]
    lines += [f"  {name}={value}" for name, value in repository_variables(outputs, client.meta.region_name).items()]
    return Outcome(tuple(lines))


def create_table_command(table: str) -> Outcome:
    """Create the DynamoDB table if missing, wait until ACTIVE, turn TTL on."""
    from botocore.exceptions import BotoCoreError

    from events.store.dynamodb import create_table

    try:
        created = create_table(table)
    except BotoCoreError as error:
        return Outcome((), aws_setup_problem(error))
    return Outcome((f"DynamoDB table {table}: {'created' if created else 'already there'}, ACTIVE, TTL on 'ttl'",))


def aws_setup_problem(error: Exception) -> str:
    """One line for a missing region, an unreachable endpoint or missing credentials, instead of botocore's traceback."""
    from botocore.exceptions import (
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    if isinstance(error, NoRegionError):
        return (
            "no AWS region: set AWS_DEFAULT_REGION (for example AWS_DEFAULT_REGION=us-east-1) or a region in your "
            "AWS profile; boto3 does not read AWS_REGION"
        )
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        endpoint = error.kwargs.get("endpoint_url", "the AWS endpoint")
        return f"cannot reach {endpoint}: check the network, or that the server an AWS_ENDPOINT_URL_* names is running"
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    return f"AWS: {error}"
