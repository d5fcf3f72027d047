/**
 * The synchronous callers of functions written with the CDK: API Gateway REST APIs and their
 * Lambda integrations, HTTP APIs, WebSocket APIs' routes, AppSync Lambda data sources, and
 * Application Load Balancer target groups of functions.
 */
import { ts } from '../code/ts.js';
import { Intrinsic, Unknown, type IacValue } from '../iac/model.js';
import { Mapping, type Res } from './resources.js';
import { entryOf, lit, stringOf, unknown, UNDEF, type Cx, type Val } from './values.js';
import type { Converter } from './convert.js';

type Args = Val[];
type Node = ts.Node;

export class Apis {
  constructor(readonly cv: Converter) {}

  restApi(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::ApiGateway::RestApi', node);
    c.res = res;
    const p = args[2];
    const at = this.cv.callSource(node);
    this.cv.setFrom(res.props, 'EndpointConfiguration', p, 'endpointTypes', (v) => ({ Types: this.cv.plain(v) ?? null }), at);
    if (!res.props.has('EndpointConfiguration')) {
      this.cv.setFrom(
        res.props,
        'EndpointConfiguration',
        p,
        'endpointConfiguration',
        (v, e): IacValue | undefined => {
          if (v.k !== 'obj') return v.k === 'undef' ? undefined : new Unknown(this.cv.describe(e.node));
          const types = v.entries.get('types');
          return types ? { Types: this.cv.plain(types.val) ?? null } : {};
        },
        at,
      );
    }
    const defaultIntegration = entryOf(p, 'defaultIntegration');
    if (typeof defaultIntegration === 'object') c.data['defaultIntegration'] = defaultIntegration.val;
    if (c.kind === 'apigateway.LambdaRestApi') {
      const handler = entryOf(p, 'handler');
      if (typeof handler === 'object') {
        const options = entryOf(p, 'integrationOptions');
        const integration: Cx = this.cv.cx('apigateway.LambdaIntegration', node, [handler.val, typeof options === 'object' ? options.val : UNDEF]);
        c.data['defaultIntegration'] = { k: 'cx', c: integration };
        // `proxy` (default true): every path and method reach the handler; with `proxy: false`,
        // the routes the app adds do (their default integration)
        const proxy = entryOf(p, 'proxy');
        if (typeof proxy !== 'object' || proxy.val.k !== 'lit' || proxy.val.v !== false) this.restMethod(c, { k: 'cx', c: integration }, node, ['{proxy+}'], 'ANY');
      }
    }
    return { k: 'cx', c };
  }

  /** An `AWS::ApiGateway::Method` whose integration invokes a function. */
  /**
   * `route` is the resource's path parts from the root when the file tells it (`orders`,
   * `{proxy+}`), `verb` the method: the method's construct path is then the one a synth gives it
   * (`Api/Default/orders/GET`).
   */
  restMethod(api: Cx | undefined, integration: Val, node: Node, route?: string[], verb?: string): Cx | undefined {
    if (integration.k !== 'cx') return undefined;
    // `LambdaIntegration(fn, options)`, or a generic `Integration({ type: AWS_PROXY, uri, options })`
    let handler: Val | undefined;
    let options: Val | undefined;
    let type: IacValue | undefined;
    let uri: IacValue | undefined;
    if (integration.c.kind === 'apigateway.LambdaIntegration') [handler, options] = integration.c.args;
    else if (integration.c.kind === 'apigateway.Integration') {
      const props = integration.c.args[0];
      const declared = entryOf(props, 'type');
      type = typeof declared === 'object' ? this.cv.plain(declared.val) : undefined;
      if (type !== 'AWS_PROXY' && type !== 'AWS') return undefined;
      const given = entryOf(props, 'uri');
      uri = typeof given === 'object' ? this.cv.plain(given.val) : new Unknown('uri');
      const opts = entryOf(props, 'options');
      options = typeof opts === 'object' ? opts.val : opts === 'unknown' ? unknown('options') : UNDEF;
    } else return undefined;
    const own = route && verb ? ['Default', ...route, verb.toUpperCase()] : [`Method:${this.cv.describe(node).slice(0, 40)}`];
    const path = [...(api?.path ?? []), ...own];
    const res = this.cv.addResource(path, 'AWS::ApiGateway::Method', node, true);
    const at = this.cv.callSource(node);
    if (api?.res) res.props.set('RestApiId', { value: this.cv.resources.ref(api.res), source: at });
    if (verb) res.props.set('HttpMethod', { value: verb.toUpperCase(), source: at });
    const source = this.cv.callSource(integration.c.node);
    const m = new Mapping();
    const proxy = entryOf(options, 'proxy');
    m.set('Type', { value: type ?? (typeof proxy === 'object' && proxy.val.k === 'lit' && proxy.val.v === false ? 'AWS' : 'AWS_PROXY'), source });
    m.set('Uri', { value: uri ?? this.cv.arn(handler ?? UNDEF) ?? new Unknown('handler'), source });
    this.cv.setFrom(m, 'TimeoutInMillis', options, 'timeout', (v) => {
      const s = this.cv.seconds(v);
      return typeof s === 'number' ? s * 1000 : s;
    }, source);
    this.cv.copy(m, 'RequestParameters', options, 'requestParameters', source);
    this.cv.copy(m, 'ResponseTransferMode', options, 'responseTransferMode', source);
    res.props.set('Integration', m.built(source));
    return { ...this.cv.cx('apigateway.Method', node, []), path, res };
  }

  /**
   * A Lambda authorizer of a REST API (`RequestAuthorizer`, `TokenAuthorizer`): API Gateway calls
   * its function synchronously, before the methods it guards.
   */
  authorizer(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::ApiGateway::Authorizer', node);
    c.res = res;
    const at = this.cv.callSource(node);
    res.props.set('Type', { value: c.kind === 'apigateway.TokenAuthorizer' ? 'TOKEN' : 'REQUEST', source: at });
    const handler = entryOf(args[2], 'handler');
    if (typeof handler === 'object') res.props.set('AuthorizerUri', { value: this.cv.arn(handler.val) ?? new Unknown('handler'), source: this.cv.callSource(handler.node) });
    return { k: 'cx', c };
  }

  methodConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    const e = entryOf(args[2], 'integration');
    const resource = entryOf(args[2], 'resource');
    const api = typeof resource === 'object' && resource.val.k === 'cx' ? (resource.val.c.data['api'] as Cx | undefined) : undefined;
    if (typeof e === 'object') this.restMethod(api, e.val, node);
    return { k: 'cx', c };
  }

  httpApi(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.cv.addResource(c.path, 'AWS::ApiGatewayV2::Api', node);
    c.res.props.set('ProtocolType', { value: 'HTTP', source: this.cv.callSource(node) });
    c.data['integrations'] = new Set<Cx>();
    const e = entryOf(args[2], 'defaultIntegration');
    if (typeof e === 'object') this.httpIntegration(c, e.val);
    return { k: 'cx', c };
  }

  /**
   * An `AWS::ApiGatewayV2::Integration` for an `HttpLambdaIntegration(id, handler, options)`, or
   * CDK v1's `LambdaProxyIntegration({ handler })` (one per API).
   */
  httpIntegration(api: Cx | undefined, integration: Val): void {
    if (integration.k !== 'cx') return;
    const v1 = integration.c.kind === 'apigatewayv2-integrations.LambdaProxyIntegration';
    if (!v1 && integration.c.kind !== 'apigatewayv2-integrations.HttpLambdaIntegration') return;
    const done = (api?.data['integrations'] as Set<Cx> | undefined) ?? new Set<Cx>();
    if (done.has(integration.c)) return;
    done.add(integration.c);
    const given = entryOf(integration.c.args[0], 'handler');
    const v1Handler = typeof given === 'object' ? given.val : undefined;
    // v1 integrations have no id: named after their function
    const v1Id = v1Handler?.k === 'cx' ? lit(`${v1Handler.c.path[v1Handler.c.path.length - 1] ?? 'Lambda'}Integration`) : undefined;
    const [id, handler, options] = v1 ? [v1Id, v1Handler, undefined] : integration.c.args;
    const node = integration.c.node;
    const res = this.cv.addResource([...(api?.path ?? []), stringOf(id) ?? 'Integration'], 'AWS::ApiGatewayV2::Integration', node, true);
    const at = this.cv.callSource(node);
    if (api?.res) res.props.set('ApiId', { value: this.cv.resources.ref(api.res), source: at });
    res.props.set('IntegrationType', { value: 'AWS_PROXY', source: at });
    res.props.set('IntegrationUri', { value: this.cv.arn(handler ?? UNDEF) ?? new Unknown('handler'), source: at });
    this.cv.setFrom(res.props, 'TimeoutInMillis', options, 'timeout', (v) => {
      const s = this.cv.seconds(v);
      return typeof s === 'number' ? s * 1000 : s;
    }, at);
  }

  httpRouteConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    const api = entryOf(args[2], 'httpApi');
    const integration = entryOf(args[2], 'integration');
    if (typeof integration === 'object') this.httpIntegration(typeof api === 'object' ? (api.val.k === 'cx' ? api.val.c : undefined) : undefined, integration.val);
    void node;
    return { k: 'cx', c };
  }

  /**
   * `new WebSocketApi(scope, id, props)`: a WEBSOCKET API whose `connectRouteOptions`,
   * `disconnectRouteOptions` and `defaultRouteOptions` add the `$connect`, `$disconnect` and
   * `$default` routes.
   */
  webSocketApi(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.cv.addResource(c.path, 'AWS::ApiGatewayV2::Api', node);
    c.res.props.set('ProtocolType', { value: 'WEBSOCKET', source: this.cv.callSource(node) });
    const routes: [string, string][] = [
      ['connectRouteOptions', '$connect'],
      ['disconnectRouteOptions', '$disconnect'],
      ['defaultRouteOptions', '$default'],
    ];
    for (const [key, routeKey] of routes) {
      const e = entryOf(args[2], key);
      if (typeof e === 'object') this.webSocketRoute(c, lit(routeKey), e.val, e.node);
    }
    return { k: 'cx', c };
  }

  /**
   * A route of a WebSocket API (`addRoute(key, options)`, `new WebSocketRoute(...)`, the route
   * options of the API) whose `WebSocketLambdaIntegration` invokes a function: an
   * `AWS::ApiGatewayV2::Route` targeting an `AWS::ApiGatewayV2::Integration`, under the route's
   * construct path (`Api/$connect-Route/<integration id>`), as a synth names them.
   */
  webSocketRoute(api: Cx | undefined, routeKey: Val, options: Val, node: Node): void {
    const e = entryOf(options, 'integration');
    if (typeof e !== 'object' || e.val.k !== 'cx' || e.val.c.kind !== 'apigatewayv2-integrations.WebSocketLambdaIntegration') return;
    const [id, handler, props] = e.val.c.args;
    const key = stringOf(routeKey);
    const routePath = [...(api?.path ?? []), `${key ?? this.cv.describe(node).slice(0, 40)}-Route`];
    const at = this.cv.callSource(node);
    const integrationNode = e.val.c.node;
    const integrationAt = this.cv.callSource(integrationNode);
    const integration = this.cv.addResource([...routePath, stringOf(id) ?? 'Integration'], 'AWS::ApiGatewayV2::Integration', integrationNode, true);
    if (api?.res) integration.props.set('ApiId', { value: this.cv.resources.ref(api.res), source: integrationAt });
    integration.props.set('IntegrationType', { value: 'AWS_PROXY', source: integrationAt });
    integration.props.set('IntegrationUri', { value: this.cv.arn(handler ?? UNDEF) ?? new Unknown('handler'), source: integrationAt });
    this.cv.setFrom(integration.props, 'TimeoutInMillis', props, 'timeout', (v) => {
      const sec = this.cv.seconds(v);
      return typeof sec === 'number' ? sec * 1000 : sec;
    }, integrationAt);
    const route = this.cv.addResource(routePath, 'AWS::ApiGatewayV2::Route', node, true);
    if (api?.res) route.props.set('ApiId', { value: this.cv.resources.ref(api.res), source: at });
    route.props.set('RouteKey', { value: key ?? new Unknown('routeKey'), source: at });
    route.props.set('Target', { value: new Intrinsic('Fn::Join', ['', ['integrations/', this.cv.resources.ref(integration)]]), source: at });
  }

  webSocketRouteConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    const api = entryOf(args[2], 'webSocketApi');
    const routeKey = entryOf(args[2], 'routeKey');
    this.webSocketRoute(typeof api === 'object' && api.val.k === 'cx' ? api.val.c : undefined, typeof routeKey === 'object' ? routeKey.val : unknown('routeKey'), args[2] ?? UNDEF, node);
    return { k: 'cx', c };
  }

  lambdaDataSource(path: string[], api: Cx | undefined, fn: Val | undefined, node: Node): Res {
    const res = this.cv.addResource(path, 'AWS::AppSync::DataSource', node, true);
    const at = this.cv.callSource(node);
    res.props.set('Type', { value: 'AWS_LAMBDA', source: at });
    if (api?.res) res.props.set('ApiId', { value: this.cv.resources.getAtt(api.res, 'ApiId'), source: at });
    res.props.set('LambdaConfig', { value: { LambdaFunctionArn: this.cv.arn(fn ?? UNDEF) ?? new Unknown('function') }, source: at });
    return res;
  }

  lambdaDataSourceConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const api = entryOf(args[2], 'api');
    const fn = entryOf(args[2], 'lambdaFunction');
    c.res = this.lambdaDataSource(c.path, typeof api === 'object' && api.val.k === 'cx' ? api.val.c : undefined, typeof fn === 'object' ? fn.val : unknown('lambdaFunction'), node);
    return { k: 'cx', c };
  }

  /**
   * `dataSource.createResolver(id, { typeName, fieldName, requestMappingTemplate })`: an
   * `AWS::AppSync::Resolver` whose request template tells how the function is invoked
   * (`"invocationType": "Event"` does not wait for it).
   */
  resolver(dataSource: Cx, id: string, props: Val | undefined, node: ts.CallExpression): Val {
    const path = [...dataSource.path, id];
    const res = this.cv.addResource(path, 'AWS::AppSync::Resolver', node, true);
    const at = this.cv.callSource(node);
    res.props.set('DataSourceName', { value: this.cv.resources.getAtt(dataSource.res!, 'Name'), source: at });
    this.cv.copy(res.props, 'TypeName', props, 'typeName', at);
    this.cv.copy(res.props, 'FieldName', props, 'fieldName', at);
    this.cv.copy(res.props, 'RequestMappingTemplate', props, 'requestMappingTemplate', at);
    return { k: 'cx', c: { ...this.cv.cx('appsync.Resolver', node, []), path, res } };
  }

  /**
   * An Application Load Balancer target group (`new ApplicationTargetGroup(scope, id, { targets:
   * [new LambdaTarget(fn)] })`): the load balancer invokes each function synchronously and waits
   * for its response.
   */
  targetGroup(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.cv.addResource(c.path, 'AWS::ElasticLoadBalancingV2::TargetGroup', node);
    const targets = entryOf(args[2], 'targets');
    if (typeof targets === 'object' && targets.val.k === 'arr') for (const item of targets.val.items) this.addLoadBalancerTarget(c, item.val, item.node);
    return { k: 'cx', c };
  }

  /** `group.addTarget(new LambdaTarget(fn))`, or an item of `targets`: a function the target group invokes. */
  addLoadBalancerTarget(group: Cx, target: Val, node: Node): void {
    if (!group.res || target.k !== 'cx' || target.c.kind !== 'elasticloadbalancingv2-targets.LambdaTarget') return;
    const arn = this.cv.arn(target.c.args[0] ?? UNDEF);
    if (arn === undefined) return;
    const list = (group.data['lambdaTargets'] as IacValue[] | undefined) ?? [];
    group.data['lambdaTargets'] = list;
    list.push({ Id: arn });
    const at = this.cv.callSource(target.c.node);
    group.res.props.set('TargetType', { value: 'lambda', source: at });
    group.res.props.set('Targets', { value: [...list], source: this.cv.nodeSource(node) });
  }
}
