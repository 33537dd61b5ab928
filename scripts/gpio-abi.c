// Prints the uAPI v2 struct sizes, offsets and ioctl numbers of <linux/gpio.h>
// as the C compiler sees them; Tests/GPIOTests/GPIOABITests.swift asserts the
// same values. Run: gcc -Wall -o /tmp/gpio-abi scripts/gpio-abi.c && /tmp/gpio-abi
#include <stdio.h>
#include <stddef.h>
#include <linux/gpio.h>
#define S(t) printf("sizeof %s = %zu\n", #t, sizeof(struct t))
#define O(t,f) printf("offsetof %s.%s = %zu\n", #t, #f, offsetof(struct t, f))
int main(void){
 S(gpiochip_info); S(gpio_v2_line_values); S(gpio_v2_line_attribute); S(gpio_v2_line_config_attribute); S(gpio_v2_line_config); S(gpio_v2_line_request); S(gpio_v2_line_info);
 O(gpiochip_info,label); O(gpiochip_info,lines);
 O(gpio_v2_line_request,consumer); O(gpio_v2_line_request,config); O(gpio_v2_line_request,num_lines); O(gpio_v2_line_request,event_buffer_size); O(gpio_v2_line_request,fd);
 O(gpio_v2_line_config,num_attrs); O(gpio_v2_line_config,attrs);
 O(gpio_v2_line_config_attribute,mask);
 O(gpio_v2_line_attribute,flags);
 O(gpio_v2_line_info,consumer); O(gpio_v2_line_info,offset); O(gpio_v2_line_info,flags); O(gpio_v2_line_info,attrs);
 O(gpio_v2_line_values,mask);
 printf("GPIO_GET_CHIPINFO_IOCTL = 0x%lx\n", (unsigned long)GPIO_GET_CHIPINFO_IOCTL);
 printf("GPIO_V2_GET_LINEINFO_IOCTL = 0x%lx\n", (unsigned long)GPIO_V2_GET_LINEINFO_IOCTL);
 printf("GPIO_V2_GET_LINE_IOCTL = 0x%lx\n", (unsigned long)GPIO_V2_GET_LINE_IOCTL);
 printf("GPIO_V2_LINE_SET_VALUES_IOCTL = 0x%lx\n", (unsigned long)GPIO_V2_LINE_SET_VALUES_IOCTL);
 printf("GPIO_V2_LINE_GET_VALUES_IOCTL = 0x%lx\n", (unsigned long)GPIO_V2_LINE_GET_VALUES_IOCTL);
 return 0;}
