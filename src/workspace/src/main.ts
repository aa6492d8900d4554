import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import { createApp } from 'vue';
import App from './App.vue';
import { learnTimeZone } from './api/auth';
import { setUnauthorizedHandler } from './api/http';
import { clearSession } from './api/session-store';
import { router } from './router';
import { watchRequiredInputs } from './shared/aria-required';
import { expiredLoginQuery } from './shared/safe-next';
import './shared/app.css';

// Date pickers: weeks start on Monday, month and day names in Chinese.
dayjs.locale('zh-cn');

// A 401: back to the login page, and after it to the page the user was on (what an open dialog
// held is kept by that dialog where it matters: the reply draft).
setUnauthorizedHandler(() => {
  const query = expiredLoginQuery(router.currentRoute.value);
  clearSession();
  void router.push({ name: 'login', query });
});

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
// Required fields say so to screen readers (Element Plus only draws a star).
watchRequiredInputs();
// After the first navigation: a 401 on the way then knows the page to come back to.
void router.isReady().then(learnTimeZone);
