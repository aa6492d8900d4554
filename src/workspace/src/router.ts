/**
 * The pages and who may open them. A page a role may not open sends it to its own start page; no
 * session sends everyone to the login page (and back to where they were going after it).
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { homeOf, session, type Role } from './api/session-store';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    roles?: readonly Role[];
    /** Shown in the side menu under this group. */
    menu?: '话务' | '承办' | '监控' | '管理';
  }
}

const staff: readonly Role[] = ['agent', 'supervisor', 'admin'];
const supervisors: readonly Role[] = ['supervisor', 'admin'];

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录' } },
  { path: '/agent', name: 'agent-desk', component: () => import('./pages/agent/AgentDesk.vue'), meta: { title: '接听工作台', roles: ['agent'], menu: '话务' } },
  { path: '/orders', name: 'order-search', component: () => import('./pages/orders/OrderSearch.vue'), meta: { title: '工单查询', roles: staff, menu: '话务' } },
  { path: '/knowledge', name: 'knowledge', component: () => import('./pages/knowledge/KnowledgePage.vue'), meta: { title: '知识库', roles: ['agent', 'supervisor', 'admin', 'unit'], menu: '话务' } },
  { path: '/agent/messages', name: 'messages', component: () => import('./pages/agent/MessagesPage.vue'), meta: { title: '留言处理', roles: staff, menu: '话务' } },
  { path: '/agent/callbacks', name: 'callbacks', component: () => import('./pages/agent/CallbackTasks.vue'), meta: { title: '回访任务', roles: staff, menu: '话务' } },
  { path: '/unit', name: 'unit-inbox', component: () => import('./pages/unit/UnitInbox.vue'), meta: { title: '承办工单', roles: ['unit'], menu: '承办' } },
  { path: '/orders/:code', name: 'order-detail', component: () => import('./pages/orders/OrderDetail.vue'), props: true, meta: { title: '工单详情', roles: ['agent', 'supervisor', 'admin', 'unit'] } },
  { path: '/supervisor/wallboard', name: 'wallboard', component: () => import('./pages/supervisor/WallboardPage.vue'), meta: { title: '实时监控', roles: supervisors, menu: '监控' } },
  { path: '/supervisor/overdue', name: 'overdue', component: () => import('./pages/supervisor/OverdueBoard.vue'), meta: { title: '超期督办', roles: supervisors, menu: '监控' } },
  { path: '/supervisor/reviews', name: 'reviews', component: () => import('./pages/supervisor/ReviewQueue.vue'), meta: { title: '审核与延期', roles: supervisors, menu: '监控' } },
  { path: '/supervisor/reports', name: 'reports', component: () => import('./pages/supervisor/ReportsPage.vue'), meta: { title: '统计报表', roles: supervisors, menu: '监控' } },
  { path: '/supervisor/notices', name: 'notices', component: () => import('./pages/supervisor/NoticesPage.vue'), meta: { title: '公告管理', roles: supervisors, menu: '监控' } },
  { path: '/supervisor/calls', name: 'calls', component: () => import('./pages/supervisor/CallsPage.vue'), meta: { title: '通话记录', roles: supervisors, menu: '监控' } },
  { path: '/admin/users', name: 'admin-users', component: () => import('./pages/admin/UsersPage.vue'), meta: { title: '用户与坐席', roles: ['admin'], menu: '管理' } },
  { path: '/admin/categories', name: 'admin-categories', component: () => import('./pages/admin/CategoriesPage.vue'), meta: { title: '诉求类别', roles: ['admin'], menu: '管理' } },
  { path: '/admin/units', name: 'admin-units', component: () => import('./pages/admin/UnitsPage.vue'), meta: { title: '承办单位', roles: ['admin'], menu: '管理' } },
  { path: '/', name: 'home', redirect: () => (session.user === undefined ? '/login' : homeOf(session.user.role)) },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在' } },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  const user = session.user;
  if (to.name === 'login') return user === undefined ? true : homeOf(user.role);
  if (user === undefined) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  const roles = to.meta.roles;
  if (roles !== undefined && !roles.includes(user.role)) return homeOf(user.role);
  return true;
});

/**
 * A page's code could not be loaded: the server was updated while this tab was open and the old
 * chunk is gone. Load the new app once at the page asked for (a second failure is shown, not looped).
 */
const RELOADED = 'hotline.reloaded-for-update';
router.onError((err: unknown, to) => {
  const message = err instanceof Error ? err.message : String(err);
  if (!/dynamically imported module|module script failed|error loading dynamically/i.test(message)) return;
  if (sessionStorage.getItem(RELOADED) === to.fullPath) return;
  sessionStorage.setItem(RELOADED, to.fullPath);
  // Always this origin: a path is never read as another host (`//evil.example`, `/\\evil.example`).
  location.assign(`${location.origin}${to.fullPath}`);
});

router.afterEach((to) => {
  sessionStorage.removeItem(RELOADED);
  document.title = to.meta.title === undefined ? '12345 热线工作台' : `${to.meta.title} · 12345 热线工作台`;
});
